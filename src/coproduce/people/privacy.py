"""The people app's own records about a person, registered in ``personal_data`` like every
other app's: the profile, organisation memberships, the audit entries they wrote and the admin
history naming them. The account row itself is pseudonymised by ``services.person_erase``."""

import datetime as dt
import json
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from coproduce.audit.models import AuditEntry

from .models import Membership, Person
from .personal_data import Section, register, rows


def pseudonym(person: Person) -> str:
    """The name an erased account keeps, so pages listing its ballots or hours still read."""
    return f"Former participant #{person.pk}"


def _profile(person: Person) -> list[dict[str, Any]]:
    return rows(
        Person.objects.filter(pk=person.pk),
        "id",
        "email",
        "display_name",
        "area",
        "bio",
        "preferred_language",
        "email_confirmed",
        "date_joined",
        "last_login",
        "is_staff",
    )


def _email_addresses(person: Person) -> list[dict[str, Any]]:
    return rows(
        EmailAddress.objects.filter(user=person).order_by("id"),
        "id",
        "email",
        "verified",
        "primary",
    )


def _erase_email_addresses(person: Person, now: dt.datetime) -> int:
    """The addresses the accounts library keeps (and their pending confirmation links)."""
    deleted, _by_model = EmailAddress.objects.filter(user=person).delete()
    return deleted


def _memberships(person: Person) -> list[dict[str, Any]]:
    return rows(
        Membership.objects.filter(person=person).order_by("id"),
        "id",
        "organisation_id",
        "organisation__name",
        "role",
        "since",
    )


def _erase_memberships(person: Person, now: dt.datetime) -> int:
    """A membership makes someone staff of an organisation: it ends with the account."""
    deleted, _by_model = Membership.objects.filter(person=person).delete()
    return deleted


def _audit_entries(person: Person) -> list[dict[str, Any]]:
    entries = AuditEntry.objects.filter(actor_id=person.pk).order_by("id")
    return [
        {
            "id": entry.pk,
            "time": entry.created_at,
            "action": entry.action,
            "object": f"{entry.object_type}:{entry.object_id}" if entry.object_type else "",
            "payload": json.loads(entry.payload),
            "hash": entry.hash,
        }
        for entry in entries.iterator(chunk_size=2000)
    ]


def _admin_history(person: Person) -> list[dict[str, Any]]:
    return rows(
        LogEntry.objects.filter(user=person).order_by("id"),
        "id",
        "action_time",
        "content_type__app_label",
        "content_type__model",
        "object_id",
        "object_repr",
        "action_flag",
        "change_message",
    )


def _erase_admin_history(person: Person, now: dt.datetime) -> int:
    """The admin's own history shows an edited object by its name at the time: rename the
    entries about this account. Entries the person made as an administrator stay."""
    about = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    )
    return about.update(object_repr=pseudonym(person))


def register_sections() -> None:
    register(
        Section(
            "profile",
            (),
            _profile,
            label=_("Your profile"),
            on_erasure=_("Name, email address, area and biography erased; the account is closed."),
        )
    )
    register(
        Section(
            "email_addresses",
            (EmailAddress,),
            _email_addresses,
            _erase_email_addresses,
            label=_("Your email addresses"),
            on_erasure=_("Deleted."),
        )
    )
    register(
        Section(
            "memberships",
            (Membership,),
            _memberships,
            _erase_memberships,
            label=_("Organisations you belong to"),
            on_erasure=_("Deleted."),
        )
    )
    register(
        Section(
            "audit_entries",
            (),
            _audit_entries,
            label=_("The audit log's entries of what you did"),
            on_erasure=_("Kept: entries name people by number only and are never rewritten."),
        )
    )
    register(
        Section(
            "admin_history",
            (LogEntry,),
            _admin_history,
            _erase_admin_history,
            label=_("Administrators' history of your account"),
            on_erasure=_("Entries about the account are renamed to its pseudonym."),
        )
    )

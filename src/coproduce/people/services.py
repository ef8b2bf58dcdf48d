"""Every write about people and organisations; each checks its actor's permission and runs in
one transaction with its audit row."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record

from . import personal_data
from .models import Membership, Organisation, Person
from .permissions import require
from .privacy import pseudonym


def person_sign_up(
    *,
    email: str,
    password: str,
    display_name: str,
    preferred_language: str = "en",
    area: str = "",
) -> Person:
    """Create an account. The sign-up page (django-allauth, ADR 0006) then emails the link that
    confirms the address.

    Anyone may sign up, so no permission is asked: the new person is the actor.
    """
    with transaction.atomic():
        person = Person.objects.create_user(
            email=email,
            password=password,
            display_name=display_name,
            preferred_language=preferred_language,
            area=area,
        )
        audit_record(actor=person, action="person.sign_up", target=person)
    return person


def person_confirm_email(*, person: Person, email: str) -> Person:
    """Record that ``person`` proved they own ``email``: what counts (voting, co-leading,
    recording hours) opens to them.

    No permission is asked: it is called once django-allauth has checked the confirmation key
    that was emailed to that address, which is the proof. An address the person no longer uses
    confirms nothing.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.email.lower() != email.lower():
            raise ValidationError(_("This address is not the account's address."))
        if not person.email_confirmed:
            person.email_confirmed = True
            person.save(update_fields=["email_confirmed"])
            audit_record(actor=person, action="person.confirm_email", target=person)
    return person


def person_update_profile(*, person: Person, actor: Person, **fields) -> Person:
    """Change a person's public profile: only they (or an administrator) may."""
    allowed = {"display_name", "area", "preferred_language", "bio"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} through the profile")
    require(actor, "people.edit_profile", person, _("You may only change your own profile."))
    with transaction.atomic():
        changed = [name for name, value in fields.items() if getattr(person, name) != value]
        for name in changed:
            setattr(person, name, fields[name])
        person.full_clean(exclude=["password"])
        if changed:
            person.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="person.update_profile",
                target=person,
                payload={"fields": changed},
            )
    return person


def organisation_create(
    *, actor: Person, name: str, slug: str, sectors: list[str], **fields
) -> Organisation:
    """Register an organisation. Administrators do, so that a public agency cannot be
    impersonated by whoever types its name first."""
    require(
        actor, "people.create_organisation", None, _("Only administrators may add organisations.")
    )
    with transaction.atomic():
        organisation = Organisation(name=name, slug=slug, sectors=sectors, **fields)
        organisation.full_clean()
        organisation.save()
        audit_record(
            actor=actor,
            action="organisation.create",
            target=organisation,
            payload={"sectors": sectors},
        )
    return organisation


def membership_add(
    *,
    actor: Person,
    person: Person,
    organisation: Organisation,
    role: str,
    since: dt.date | None = None,
) -> Membership:
    """Record that a person belongs to an organisation. A membership makes a person a
    professional (see ``person_is_professional``), which opens reviews and paper ballots, so
    only the organisation's managers or an administrator may add one."""
    require(
        actor,
        "people.manage_members",
        organisation,
        _("Only the organisation's managers and administrators may add members."),
    )
    with transaction.atomic():
        membership = Membership(person=person, organisation=organisation, role=role, since=since)
        membership.full_clean()
        membership.save()
        audit_record(
            actor=actor,
            action="membership.add",
            target=membership,
            payload={"person": person.pk, "organisation": organisation.pk, "role": role},
        )
    return membership


def _pseudonymise(person: Person, now: dt.datetime) -> None:
    """Keep the row (others' records point at it) but nothing that says who it was."""
    person.display_name = pseudonym(person)
    person.email = f"former-participant-{person.pk}@erased.invalid"
    person.area = ""
    person.bio = ""
    person.preferred_language = settings.LANGUAGE_CODE
    person.email_confirmed = False
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.last_login = None
    person.erased_at = now
    # A new password hash also ends every session the person still has open.
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()


def person_erase(*, actor: Person, person: Person, now: dt.datetime | None = None) -> Person:
    """Close an account and erase its personal data: on the person's own request, or by an
    administrator for someone who asks by letter.

    What others rely on stays, under the pseudonym "Former participant #<id>": ballots stay
    counted, contributions stay in the totals, hours stay in the timebank, and the audit log,
    which names people by number only, is never rewritten. Each app erases its own records
    through the ``personal_data`` registry. The page asks for the person's password; an
    administrator acting on a letter has none to give, so the service does not.
    """
    require(actor, "people.erase_account", person, _("You may only delete your own account."))
    now = now or timezone.now()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.erased_at is not None:
            raise ValidationError(_("This account is already deleted."))
        problems = personal_data.blockers(person)
        if problems:
            raise ValidationError(problems)
        # Sections first: some find records by the address the profile still holds.
        counts = personal_data.erase(person, now)
        _pseudonymise(person, now)
        audit_record(
            actor=actor,
            action="person.erase",
            target=person,
            payload={"records": counts, "by_administrator": actor.pk != person.pk},
        )
    return person

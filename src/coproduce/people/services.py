"""Every write about people and organisations; each checks its actor's permission and runs in
one transaction with its audit row."""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record

from .mail import send_to_person
from .models import Membership, Organisation, Person
from .permissions import require

CONFIRM_SALT = "coproduce.people.confirm-email"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 7  # a week


def email_confirmation_token(person: Person) -> str:
    return signing.dumps({"id": person.pk, "email": person.email}, salt=CONFIRM_SALT)


def _send_confirmation(person: Person, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse(
        "people:confirm_email", args=[email_confirmation_token(person)]
    )

    def compose() -> tuple[str, str]:
        subject = _("Confirm your email address for Coproduce")
        body = _(
            "Hello %(name)s,\n\nPlease confirm your email address by opening this link:\n"
            "%(link)s\n\nThe link is valid for seven days. If you did not sign up, ignore "
            "this message."
        ) % {"name": person.display_name, "link": link}
        return subject, body

    send_to_person(person, compose)


def person_sign_up(
    *,
    email: str,
    password: str,
    display_name: str,
    preferred_language: str = "en",
    area: str = "",
    base_url: str | None = None,
) -> Person:
    """Create an account and email a confirmation link once the account is committed.

    Anyone may sign up, so no permission is asked: the new person is the actor. ``base_url``
    (the site's address for the link) defaults to ``settings.SITE_URL``.
    """
    base_url = base_url or settings.SITE_URL
    with transaction.atomic():
        person = Person.objects.create_user(
            email=email,
            password=password,
            display_name=display_name,
            preferred_language=preferred_language,
            area=area,
        )
        audit_record(actor=person, action="person.sign_up", target=person)
        transaction.on_commit(lambda: _send_confirmation(person, base_url))
    return person


def person_confirm_email(*, token: str) -> Person:
    """Mark an address confirmed. Raises ``signing.BadSignature`` (or its ``SignatureExpired``
    subclass) or ``Person.DoesNotExist`` for a bad link.

    No permission is asked: the signed token, sent to that address only, is the proof."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=data["id"], email=data["email"])
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

"""Every write about people and organisations; each runs in one transaction with its audit row."""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from coproduce.audit.services import audit_record

from .models import Membership, Organisation, Person

CONFIRM_SALT = "coproduce.people.confirm-email"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 7  # a week


def email_confirmation_token(person: Person) -> str:
    return signing.dumps({"id": person.pk, "email": person.email}, salt=CONFIRM_SALT)


def _send_confirmation(person: Person, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse(
        "people:confirm_email", args=[email_confirmation_token(person)]
    )
    with override(person.preferred_language):
        send_mail(
            subject=_("Confirm your email address for Coproduce"),
            message=_(
                "Hello %(name)s,\n\nPlease confirm your email address by opening this link:\n"
                "%(link)s\n\nThe link is valid for seven days. If you did not sign up, ignore "
                "this message."
            )
            % {"name": person.display_name, "link": link},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[person.email],
        )


def person_sign_up(
    *,
    email: str,
    password: str,
    display_name: str,
    preferred_language: str = "en",
    area: str = "",
    base_url: str = "http://127.0.0.1:8000",
) -> Person:
    """Create an account and email a confirmation link once the account is committed."""
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
    subclass) or ``Person.DoesNotExist`` for a bad link."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=data["id"], email=data["email"])
        if not person.email_confirmed:
            person.email_confirmed = True
            person.save(update_fields=["email_confirmed"])
            audit_record(actor=person, action="person.confirm_email", target=person)
    return person


def person_update_profile(*, person: Person, actor: Person, **fields) -> Person:
    allowed = {"display_name", "area", "preferred_language", "bio"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} through the profile")
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
    *, actor: Person | None, name: str, slug: str, sectors: list[str], **fields
) -> Organisation:
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
    *, actor: Person | None, person: Person, organisation: Organisation, role: str, since=None
) -> Membership:
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

"""Every write of service requests (reported problems).

Each function checks its actor, takes keyword arguments only and runs in one transaction with
its audit row (ADR 0001, ADR 0005). Rows whose counters or balances change are locked first
(``select_for_update``) and changed with F-expressions; the audit row is written last, so the
global audit lock is never held while waiting for a row lock.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record
from coproduce.initiatives.models import Initiative
from coproduce.initiatives.rules import CO_LEADS_ONLY
from coproduce.people.models import Person
from coproduce.people.permissions import require
from coproduce.ranges import ANSWER_NUMBER
from coproduce.uploads import clean_image

from .models import (
    ApiKey,
    CategoryAttribute,
    RequestCategory,
    RequestUpdate,
    ServiceRequest,
)


def clean_attributes(
    category: RequestCategory, answers: dict[str, list[str]]
) -> dict[str, str | list[str]]:
    """Check the answers to a category's questions (Open311 ``attribute[code]``), by datatype."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str | list[str]] = {}
    for attribute in category.attributes.filter(variable=True):
        given = [value.strip() for value in answers.get(attribute.code, []) if value.strip()]
        if not given:
            if attribute.required:
                errors[attribute.code] = _("Answer “%(question)s”.") % {
                    "question": attribute.description
                }
            continue
        if attribute.datatype == CategoryAttribute.Datatype.MULTI:
            unknown = [value for value in given if value not in attribute.value_keys()]
            if unknown:
                errors[attribute.code] = _("Choose among the listed answers.")
            cleaned[attribute.code] = given
            continue
        value = given[0]
        if attribute.datatype == CategoryAttribute.Datatype.SINGLE:
            if value not in attribute.value_keys():
                errors[attribute.code] = _("Choose among the listed answers.")
        elif attribute.datatype == CategoryAttribute.Datatype.NUMBER:
            try:
                number = Decimal(value)
            except InvalidOperation:
                errors[attribute.code] = _("Enter a number.")
            else:
                problem = (
                    ANSWER_NUMBER.problem(number) if number.is_finite() else _("Enter a number.")
                )
                if problem:
                    errors[attribute.code] = problem
        elif attribute.datatype == CategoryAttribute.Datatype.DATETIME:
            try:
                dt.datetime.fromisoformat(value)
            except ValueError:
                errors[attribute.code] = _("Enter a date and time such as 2026-05-01T14:30.")
        cleaned[attribute.code] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def request_category_create(
    *,
    actor: Person,
    initiative: Initiative,
    code: str,
    name: str,
    description: str = "",
    keywords: str = "",
    group: str = "",
    service_notice: str = "",
    attributes: Sequence[dict] = (),
) -> RequestCategory:
    """A kind of problem residents can report, with optional extra questions (Open311
    attributes: dicts with code, description, datatype and optionally required, values,
    datatype_description, variable, order)."""
    require(
        actor,
        "service_requests.manage_request_categories",
        initiative,
        CO_LEADS_ONLY,
    )
    with transaction.atomic():
        category = RequestCategory(
            initiative=initiative,
            code=code,
            name=name,
            description=description,
            keywords=keywords,
            group=group,
            service_notice=service_notice,
        )
        category.full_clean()
        category.save()
        for order, fields in enumerate(attributes, start=1):
            attribute = CategoryAttribute(category=category, **{"order": order, **fields})
            attribute.full_clean()
            attribute.save()
        audit_record(
            actor=actor,
            action="service_request_category.create",
            target=category,
            payload={
                "initiative": initiative.pk,
                "code": code,
                "attributes": [fields["code"] for fields in attributes],
            },
        )
    return category


def service_request_create(
    *,
    category: RequestCategory,
    description: str = "",
    reporter: Person | None = None,
    address: str = "",
    address_id: str = "",
    zipcode: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photo: UploadedFile | None = None,
    media_url: str = "",
    attributes: dict[str, list[str]] | None = None,
    api_key: ApiKey | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    device_id: str = "",
    account_id: str = "",
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Report a problem, on the web or through Open311. Anyone may, without an account: a
    ``reporter`` who is not signed in (the anonymous visitor) reports as nobody."""
    now = now or timezone.now()
    reporter = reporter if getattr(reporter, "is_authenticated", False) else None
    if not category.is_active or category.initiative.is_closed:
        raise ValidationError({"category": _("This kind of problem is not taken any more.")})
    if latitude is None and not address.strip() and not address_id.strip():
        raise ValidationError({"address": _("Say where the problem is: an address or a point.")})
    answers = clean_attributes(category, attributes or {})
    stored_photo = clean_image(photo, field="photo") if photo else None
    with transaction.atomic():
        request = ServiceRequest(
            category=category,
            description=description,
            reported_by=reporter,
            address=address.strip(),
            address_id=address_id.strip(),
            zipcode=zipcode.strip(),
            latitude=latitude,
            longitude=longitude,
            media_url=media_url,
            attributes=answers,
            api_key=api_key,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            device_id=device_id,
            account_id=account_id,
            created_at=now,
            updated_at=now,
        )
        if stored_photo:
            request.photo = stored_photo
        request.full_clean()
        request.save()
        RequestUpdate.objects.create(
            request=request,
            actor=reporter,
            status=ServiceRequest.Status.OPEN,
            note="",
            created_at=now,
        )
        audit_record(
            actor=reporter,
            action="service_request.create",
            target=request,
            payload={
                "category": category.code,
                "api_key": api_key.pk if api_key else None,
                "photo": bool(photo),
            },
        )
    return request


def service_request_pick_up(
    *,
    actor: Person,
    request: ServiceRequest,
    note: str = "",
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """A professional or volunteer takes the request on: it is theirs and in progress."""
    require(
        actor,
        "service_requests.handle_service_requests",
        request.category.initiative,
        _("Only the initiative's co-leads and professionals pick up reported problems."),
    )
    now = now or timezone.now()
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == ServiceRequest.Status.CLOSED:
            raise ValidationError(_("This request is closed."))
        request.assigned_to = actor
        request.status = ServiceRequest.Status.IN_PROGRESS
        request.updated_at = now
        if note:
            request.status_notes = note
        request.save(update_fields=["assigned_to", "status", "updated_at", "status_notes"])
        RequestUpdate.objects.create(
            request=request, actor=actor, status=request.status, note=note, created_at=now
        )
        audit_record(actor=actor, action="service_request.pick_up", target=request)
    return request


def service_request_update(
    *,
    actor: Person,
    request: ServiceRequest,
    status: str,
    note: str = "",
    public: bool = True,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Change the status and/or write a note. A public note is shown to everyone (and is the
    Open311 ``status_notes``); an internal one only to those handling it and the reporter."""
    require(
        actor,
        "service_requests.update_request",
        request,
        _(
            "Only the initiative's co-leads and professionals, or the person it is assigned to, "
            "handle a reported problem."
        ),
    )
    now = now or timezone.now()
    if status not in ServiceRequest.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    note = note.strip()
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        if status == request.status and not note:
            raise ValidationError({"note": _("Change the status or write a note.")})
        previous = request.status
        request.status = status
        request.updated_at = now
        request.closed_at = now if status == ServiceRequest.Status.CLOSED else None
        if note and public:
            request.status_notes = note
        request.save(update_fields=["status", "updated_at", "closed_at", "status_notes"])
        RequestUpdate.objects.create(
            request=request,
            actor=actor,
            status=status,
            note=note,
            is_public=public or not note,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="service_request.update",
            target=request,
            payload={"from": previous, "to": status, "public": public},
        )
    return request


def service_request_comment(
    *, actor: Person, request: ServiceRequest, note: str, now: dt.datetime | None = None
) -> RequestUpdate:
    """The reporter (or a handler) adds a comment: it changes nothing else and is seen by those
    handling the request and by the reporter, not by the public."""
    require(
        actor,
        "service_requests.comment_on_request",
        request,
        _("Only the person who reported it and those handling it may comment."),
    )
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write a comment.")})
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the comment under 2,000 characters.")})
    now = now or timezone.now()
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        comment = RequestUpdate.objects.create(
            request=request,
            actor=actor,
            status=request.status,
            note=note,
            is_public=False,
            created_at=now,
        )
        audit_record(actor=actor, action="service_request.comment", target=request)
    return comment


def api_key_issue(*, actor: Person, name: str, owner: Person | None = None) -> tuple[ApiKey, str]:
    """Issue an Open311 key to an application; returns the row and the key itself.

    Only a digest of the key is stored, so this is the one moment it can be read: show it to
    whoever asked for it, once."""
    require(
        actor,
        "service_requests.issue_api_key",
        None,
        _("Only administrators issue Open311 API keys."),
    )
    key = ApiKey.new_key()
    with transaction.atomic():
        api_key = ApiKey(name=name.strip(), owner=owner)
        api_key.set_key(key)
        api_key.full_clean()
        api_key.save()
        audit_record(
            actor=actor,
            action="api_key.issue",
            target=api_key,
            payload={"owner": owner.pk if owner else None, "prefix": api_key.prefix},
        )
    return api_key, key


def contact_retention_days() -> int:
    """How long the contact details of a closed request are kept (a setting; 180 days)."""
    return settings.SERVICE_REQUEST_CONTACT_RETENTION_DAYS


def service_request_contacts_erase_expired(*, now: dt.datetime | None = None) -> int:
    """Erase the contact details (name, email, phone, device and account ids) of requests closed
    longer ago than the retention period; returns how many requests lost them.

    A scheduled job (``coproduce erase_expired_contacts``, daily from cron): the system acts, no
    person, and one audit row records how many requests and which."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=contact_retention_days())
    has_contact = Q()
    for name in ServiceRequest.CONTACT_FIELDS:
        has_contact |= ~Q(**{name: ""})
    with transaction.atomic():
        expired = ServiceRequest.objects.select_for_update().filter(
            has_contact, status=ServiceRequest.Status.CLOSED, closed_at__lt=cutoff
        )
        ids = sorted(expired.values_list("pk", flat=True))
        if ids:
            ServiceRequest.objects.filter(pk__in=ids).update(
                **{name: "" for name in ServiceRequest.CONTACT_FIELDS}
            )
        audit_record(
            action="service_request.erase_expired_contacts",
            payload={
                "count": len(ids),
                "requests": ids if len(ids) <= 1000 else None,
                "retention_days": contact_retention_days(),
            },
        )
    return len(ids)

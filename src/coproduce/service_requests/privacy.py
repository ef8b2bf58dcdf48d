"""What service requests hold about a person (see ``people.personal_data``): the problems they
reported with the contact details sent along, the notes and comments they wrote, the requests
assigned to them and the Open311 keys they hold."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from coproduce.people.personal_data import Section, register, rows

from .models import ApiKey, RequestUpdate, ServiceRequest


def _reported(person) -> list[dict[str, Any]]:
    return rows(
        ServiceRequest.objects.filter(reported_by=person).order_by("created_at", "id"),
        "id",
        "category__name",
        "category__initiative__title",
        "description",
        "address",
        "zipcode",
        "latitude",
        "longitude",
        "status",
        "created_at",
        "closed_at",
        *ServiceRequest.CONTACT_FIELDS,
    )


def _erase_reported(person, now: dt.datetime) -> int:
    """The reports stay (the problem is still there), the contact details go."""
    return ServiceRequest.objects.filter(reported_by=person).update(
        **{name: "" for name in ServiceRequest.CONTACT_FIELDS}
    )


def _assigned(person) -> list[dict[str, Any]]:
    return rows(
        ServiceRequest.objects.filter(assigned_to=person).order_by("created_at", "id"),
        "id",
        "category__name",
        "status",
        "created_at",
    )


def _updates(person) -> list[dict[str, Any]]:
    return rows(
        RequestUpdate.objects.filter(actor=person).order_by("created_at", "id"),
        "id",
        "request_id",
        "status",
        "note",
        "is_public",
        "created_at",
    )


def _api_keys(person) -> list[dict[str, Any]]:
    return rows(
        ApiKey.objects.filter(owner=person).order_by("id"),
        "id",
        "name",
        "prefix",
        "is_active",
        "created_at",
    )


def register_sections() -> None:
    register(
        Section(
            "service_requests_reported",
            (),
            _reported,
            _erase_reported,
            label=_("Problems you reported"),
            on_erasure=_("Kept, without the contact details."),
        )
    )
    register(
        Section(
            "service_requests_assigned",
            (ServiceRequest,),
            _assigned,
            label=_("Problems assigned to you"),
            on_erasure=_("Kept under the pseudonym."),
        )
    )
    register(
        Section(
            "service_request_updates",
            (RequestUpdate,),
            _updates,
            label=_("Your notes and comments on problems"),
            on_erasure=_("Kept under the pseudonym."),
        )
    )
    register(
        Section(
            "open311_api_keys",
            (ApiKey,),
            _api_keys,
            label=_("Open311 API keys you hold"),
            on_erasure=_("Kept: the key belongs to an application; an administrator revokes it."),
        )
    )

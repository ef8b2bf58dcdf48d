"""Reads for the pages of service requests (reported problems).

Totals come from one aggregate query grouped in the database; Python only arranges the few
dozen grouped rows into tables.
"""

from decimal import Decimal

from django.db.models import QuerySet

from coproduce.initiatives.models import Initiative, Phase

from .models import (
    RequestCategory,
    ServiceRequest,
)

ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")


def _cents(value) -> Decimal:
    """Aggregates come back from SQLite as binary floating point (its DECIMAL is REAL), so a
    sum of 0.25 and 0.41 may read -5.6e-17 instead of 0; round every sum to the hundredth that
    the ledger keeps."""
    return Decimal(value or 0).quantize(HUNDREDTH)


def initiative_request_categories(
    initiative: Initiative, *, active_only: bool = True
) -> QuerySet[RequestCategory]:
    qs = initiative.request_categories.prefetch_related("attributes")
    return qs.filter(is_active=True) if active_only else qs


def initiative_requests(initiative: Initiative, *, status: str = "") -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.filter(category__initiative=initiative).select_related(
        "category", "assigned_to"
    )
    return qs.filter(status=status) if status else qs


def open311_services() -> QuerySet[RequestCategory]:
    """Categories of initiatives the public can see."""
    return (
        RequestCategory.objects.filter(is_active=True)
        .exclude(initiative__status=Initiative.Status.DRAFT)
        .select_related("initiative")
        .prefetch_related("attributes")
        .order_by("code")
    )


def open311_requests() -> QuerySet[ServiceRequest]:
    return (
        ServiceRequest.objects.exclude(category__initiative__status=Initiative.Status.DRAFT)
        .select_related("category", "category__initiative", "category__initiative__host")
        .order_by("-created_at", "-id")
    )


def phase_choices(initiative: Initiative) -> list[Phase]:
    return sorted(initiative.phases.all(), key=lambda phase: phase.position)


def request_updates_seen_by(report: ServiceRequest, person, *, can_handle: bool) -> QuerySet:
    """The history this person may read: public steps for everyone; internal notes and the
    reporter's comments for those handling the request and for the reporter."""
    updates = report.updates.select_related("actor")
    is_reporter = getattr(person, "is_authenticated", False) and person.pk == report.reported_by_id
    if can_handle or is_reporter:
        return updates
    return updates.filter(is_public=True)

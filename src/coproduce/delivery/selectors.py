"""Reads for the pages of co-delivery: tasks, shifts, sign-ups, requirements and calendar feeds.

Totals come from one aggregate query grouped in the database; Python only arranges the few
dozen grouped rows into tables.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from coproduce.initiatives.models import Initiative
from coproduce.ledger.activities import activity_filter
from coproduce.ledger.models import Contribution
from coproduce.people.models import Person

from .models import Requirement, RequirementConfirmation, Shift, ShiftSignup, Task

ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")


def _cents(value) -> Decimal:
    """Aggregates come back from SQLite as binary floating point (its DECIMAL is REAL), so a
    sum of 0.25 and 0.41 may read -5.6e-17 instead of 0; round every sum to the hundredth that
    the ledger keeps."""
    return Decimal(value or 0).quantize(HUNDREDTH)


def initiative_tasks(initiative: Initiative, *, include_closed: bool = False) -> QuerySet[Task]:
    """Tasks with their requirements and the number of upcoming shifts with places left."""
    now = timezone.now()
    qs = (
        Task.objects.filter(initiative=initiative)
        .prefetch_related("requirements")
        .annotate(
            upcoming_shifts=Count("shifts", filter=Q(shifts__starts_at__gt=now), distinct=True),
            open_shifts=Count(
                "shifts",
                filter=Q(shifts__starts_at__gt=now, shifts__booked__lt=F("shifts__capacity")),
                distinct=True,
            ),
        )
        .order_by("status", "title", "id")
    )
    if not include_closed:
        qs = qs.filter(status=Task.Status.OPEN)
    return qs


def upcoming_shifts(initiative: Initiative) -> QuerySet[Shift]:
    """The next shifts of the initiative's open tasks, soonest first (slice it)."""
    return (
        Shift.objects.filter(
            task__initiative=initiative,
            task__status=Task.Status.OPEN,
            starts_at__gt=timezone.now(),
        )
        .select_related("task")
        .order_by("starts_at")
    )


def task_shifts(task: Task, *, upcoming: bool = True) -> QuerySet[Shift]:
    now = timezone.now()
    qs = task.shifts.select_related("professional")
    return qs.filter(starts_at__gt=now) if upcoming else qs.filter(starts_at__lte=now).reverse()


def person_signups_for(person, shifts) -> dict[int, ShiftSignup]:
    """The person's active sign-up on each of these shifts, by shift id."""
    if not getattr(person, "is_authenticated", False):
        return {}
    return {
        signup.shift_id: signup
        for signup in ShiftSignup.objects.filter(
            person=person, shift__in=list(shifts), status__in=ShiftSignup.ACTIVE
        )
    }


def signups_to_come(person, initiative: Initiative, *, now: dt.datetime) -> QuerySet[ShiftSignup]:
    """A person's places and waiting-list entries on the initiative's shifts not yet started."""
    return (
        ShiftSignup.objects.filter(
            person=person,
            shift__task__initiative=initiative,
            shift__starts_at__gt=now,
            status__in=ShiftSignup.ACTIVE,
        )
        .select_related("shift", "shift__task")
        .order_by("shift__starts_at", "pk")
    )


def waiting_position(signup: ShiftSignup) -> int:
    """1 for the first person waiting."""
    return (
        ShiftSignup.objects.filter(shift_id=signup.shift_id, status=ShiftSignup.Status.WAITING)
        .filter(
            Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.pk)
        )
        .count()
        + 1
    )


@dataclass(frozen=True)
class RosterLine:
    signup: ShiftSignup
    contribution: Contribution | None


def shift_roster(shift: Shift) -> list[RosterLine]:
    """Who is booked or waiting, with the hours already recorded for them on this shift."""
    recorded = {
        contribution.person_id: contribution
        for contribution in Contribution.objects.filter(
            **activity_filter(shift),
            is_reversal=False,
            status__in=[Contribution.Status.PENDING, Contribution.Status.CONFIRMED],
        )
    }
    signups = shift.signups.filter(status__in=ShiftSignup.ACTIVE).select_related("person")
    return [RosterLine(signup, recorded.get(signup.person_id)) for signup in signups]


def missing_requirements(person: Person, task: Task, *, today: dt.date) -> list[Requirement]:
    """The task's requirements that no professional has confirmed (or that have expired) for
    this person."""
    required = list(task.requirements.all())
    if not required:
        return []
    met = set(
        RequirementConfirmation.objects.filter(person=person, requirement__in=required)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values_list("requirement_id", flat=True)
    )
    return [requirement for requirement in required if requirement.pk not in met]


def person_shifts(
    person: Person, *, initiative: Initiative | None = None, past: bool = False
) -> QuerySet[ShiftSignup]:
    now = timezone.now()
    qs = ShiftSignup.objects.filter(person=person, status__in=ShiftSignup.ACTIVE).select_related(
        "shift", "shift__task", "shift__task__initiative"
    )
    if initiative is not None:
        qs = qs.filter(shift__task__initiative=initiative)
    if past:
        return qs.filter(shift__ends_at__lte=now).order_by("-shift__starts_at")
    return qs.filter(shift__ends_at__gt=now).order_by("shift__starts_at")


def person_feed_signups(person: Person) -> QuerySet[ShiftSignup]:
    """Booked and waiting shifts of the last 90 days and all to come, for a calendar feed."""
    since = timezone.now() - dt.timedelta(days=90)
    return (
        ShiftSignup.objects.filter(
            person=person, status__in=ShiftSignup.ACTIVE, shift__ends_at__gte=since
        )
        .select_related("shift", "shift__task", "shift__task__initiative")
        .order_by("shift__starts_at")
    )


def initiative_feed_shifts(initiative: Initiative) -> QuerySet[Shift]:
    since = timezone.now() - dt.timedelta(days=90)
    return (
        Shift.objects.filter(
            task__initiative=initiative, task__status=Task.Status.OPEN, ends_at__gte=since
        )
        .select_related("task", "task__initiative")
        .order_by("starts_at")
    )


def map_points(initiative: Initiative) -> list[dict]:
    """Open tasks with a point on the map, as plain data for the page's JSON."""
    return [
        {
            "title": task.title,
            "lat": float(task.latitude),
            "lng": float(task.longitude),
            "address": task.address,
            "url": task_url(task),
        }
        for task in Task.objects.filter(
            initiative=initiative,
            status=Task.Status.OPEN,
            latitude__isnull=False,
            longitude__isnull=False,
        ).order_by("title")
    ]


def task_url(task: Task) -> str:
    return reverse("delivery:task", args=[task.initiative.slug, task.pk])


def initiative_requirements(initiative: Initiative) -> QuerySet[Requirement]:
    return initiative.delivery_requirements.prefetch_related(
        Prefetch(
            "confirmations",
            queryset=RequirementConfirmation.objects.select_related("person", "confirmed_by"),
        )
    ).order_by("name")

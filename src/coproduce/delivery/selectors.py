"""Reads for the co-delivery pages, the calendar feeds, Open311, reports and the benchmark.

Totals come from one aggregate query grouped in the database; Python only arranges the few
dozen grouped rows into tables.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.initiatives.models import Initiative, Participation, Phase
from coproduce.initiatives.rules import is_co_lead
from coproduce.people.models import Person

from .models import (
    Capacity,
    Contribution,
    ContributionKind,
    Exchange,
    LedgerSettings,
    Listing,
    Movement,
    RequestCategory,
    Requirement,
    RequirementConfirmation,
    ServiceRequest,
    Shift,
    ShiftSignup,
    Task,
    Timebank,
    TimebankAccount,
    ValuationRate,
)

ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")


def _cents(value) -> Decimal:
    """Aggregates come back from SQLite as binary floating point (its DECIMAL is REAL), so a
    sum of 0.25 and 0.41 may read -5.6e-17 instead of 0; round every sum to the hundredth that
    the ledger keeps."""
    return Decimal(value or 0).quantize(HUNDREDTH)


# --------------------------------------------------------------------------------------------
# Tasks and shifts
# --------------------------------------------------------------------------------------------


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
            shift=shift,
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


def initiative_people(initiative: Initiative) -> QuerySet[Person]:
    return Person.objects.filter(participations__initiative=initiative).order_by(
        "display_name", "id"
    )


def initiative_professionals(initiative: Initiative) -> QuerySet[Person]:
    return initiative_people(initiative).filter(
        participations__role__in=[Participation.Role.PROFESSIONAL, Participation.Role.CO_LEAD]
    )


# --------------------------------------------------------------------------------------------
# The contributions ledger
# --------------------------------------------------------------------------------------------


def ledger_currency(initiative: Initiative) -> str:
    settings = LedgerSettings.objects.filter(initiative=initiative).first()
    return settings.currency if settings else "EUR"


def valuation_rates(initiative: Initiative) -> QuerySet[ValuationRate]:
    return initiative.valuation_rates.order_by("kind", "work_type")


CAPACITIES = [Capacity.CITIZEN, Capacity.PROFESSIONAL, Capacity.ORGANISATION]
CAPACITY_GROUPS = {
    Capacity.CITIZEN: gettext_lazy("Citizens"),
    Capacity.PROFESSIONAL: gettext_lazy("Professionals"),
    Capacity.ORGANISATION: gettext_lazy("Organisations"),
}


@dataclass
class TotalsRow:
    """Hours and replacement value, split by capacity (citizens, professionals, organisations)."""

    label: str
    key: str = ""
    hours: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(CAPACITIES, ZERO))
    value: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(CAPACITIES, ZERO))

    @property
    def total_hours(self) -> Decimal:
        return sum(self.hours.values(), ZERO)

    @property
    def total_value(self) -> Decimal:
        return sum(self.value.values(), ZERO)

    def cells(self) -> list[tuple[Decimal, Decimal]]:
        """(hours, value) per capacity, in the order of ``CAPACITIES``, for templates."""
        return [(self.hours[capacity], self.value[capacity]) for capacity in CAPACITIES]

    def add(self, capacity: str, hours: Decimal, value: Decimal) -> None:
        self.hours[capacity] += hours
        self.value[capacity] += value


@dataclass
class KindTotal:
    kind: str
    label: str
    quantity: Decimal
    value: Decimal


@dataclass
class ContributionTotals:
    currency: str
    total: TotalsRow
    by_phase: list[TotalsRow]
    by_month: list[TotalsRow]
    by_kind: list[KindTotal]

    @property
    def is_empty(self) -> bool:
        return not self.by_kind

    def capacity_labels(self) -> list[str]:
        return [str(CAPACITY_GROUPS[capacity]) for capacity in CAPACITIES]

    def capacity_totals(self) -> list[tuple[str, Decimal, Decimal]]:
        """(label, hours, value) for citizens, professionals and organisations."""
        return [
            (label, hours, value)
            for label, (hours, value) in zip(
                self.capacity_labels(), self.total.cells(), strict=True
            )
        ]


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def contribution_cube_query(initiative: Initiative) -> QuerySet:
    """Confirmed contributions summed by phase, capacity, month and kind: one grouped query that
    the ``delivery_contribution_totals`` index answers on its own (the grouping follows the
    index's column order, so no sort is needed). Reversals are confirmed entries with negative
    quantities, so corrections are already netted out."""
    return (
        Contribution.objects.filter(initiative=initiative, status=Contribution.Status.CONFIRMED)
        .values("phase_id", "capacity", "month", "kind")
        .annotate(quantity=Sum("quantity"), value=Sum("value"))
        .order_by()
    )


def contribution_totals(initiative: Initiative) -> ContributionTotals:
    """The public aggregates of an initiative's ledger: hours and value by capacity, per phase,
    per month and in total, plus quantities by kind."""
    cube = list(contribution_cube_query(initiative))
    phases = {phase.pk: phase for phase in initiative.phases.all()}
    total = TotalsRow(label=_("Total"))
    by_phase = {
        phase.pk: TotalsRow(label=str(phase.get_kind_display()), key=phase.kind)
        for phase in sorted(phases.values(), key=lambda p: p.position)
    }
    no_phase = TotalsRow(label=_("No phase"), key="")
    by_month: dict[dt.date, TotalsRow] = {}
    by_kind: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for cell in cube:
        quantity, value = _cents(cell["quantity"]), _cents(cell["value"])
        hours = quantity if cell["kind"] == ContributionKind.TIME else ZERO
        capacity = cell["capacity"]
        total.add(capacity, hours, value)
        by_phase.get(cell["phase_id"], no_phase).add(capacity, hours, value)
        month = cell["month"]
        if month not in by_month:
            by_month[month] = TotalsRow(label=month.strftime("%Y-%m"), key=month.isoformat())
        by_month[month].add(capacity, hours, value)
        by_kind[cell["kind"]][0] += quantity
        by_kind[cell["kind"]][1] += value
    months: list[TotalsRow] = []
    if by_month:
        for month in _months(min(by_month), max(by_month)):
            months.append(
                by_month.get(month)
                or TotalsRow(label=month.strftime("%Y-%m"), key=month.isoformat())
            )
    phase_rows = list(by_phase.values())
    if no_phase.total_hours or no_phase.total_value:
        phase_rows.append(no_phase)
    return ContributionTotals(
        currency=ledger_currency(initiative),
        total=total,
        by_phase=phase_rows,
        by_month=months,
        by_kind=[
            KindTotal(kind, str(ContributionKind(kind).label), quantity, value)
            for kind, (quantity, value) in sorted(
                by_kind.items(), key=lambda item: ContributionKind.values.index(item[0])
            )
        ],
    )


def _entries() -> QuerySet[Contribution]:
    return Contribution.objects.select_related(
        "person", "organisation", "task", "phase", "confirmed_by", "recorded_by"
    )


def person_contributions(person: Person, initiative: Initiative) -> QuerySet[Contribution]:
    return _entries().filter(person=person, initiative=initiative).order_by("-occurred_on", "-id")


def person_contribution_summary(person: Person, initiative: Initiative) -> dict[str, Decimal]:
    sums = Contribution.objects.filter(
        person=person, initiative=initiative, status=Contribution.Status.CONFIRMED
    ).aggregate(
        hours=Sum("quantity", filter=Q(kind=ContributionKind.TIME)),
        value=Sum("value"),
    )
    return {name: _cents(value) for name, value in sums.items()}


def ledger_entries(initiative: Initiative, *, status: str = "") -> QuerySet[Contribution]:
    qs = _entries().filter(initiative=initiative).order_by("-occurred_on", "-id")
    return qs.filter(status=status) if status else qs


def contributions_to_confirm(person: Person, initiative: Initiative) -> QuerySet[Contribution]:
    """Pending entries this person may confirm: all others' for a co-lead or an administrator,
    those of their own shifts for a professional."""
    pending = (
        _entries()
        .filter(initiative=initiative, status=Contribution.Status.PENDING)
        .exclude(person=person)
        .order_by("occurred_on", "id")
    )
    if person.is_superuser or is_co_lead(person, initiative):
        return pending
    return pending.filter(shift__professional=person)


def contribution_history(contribution: Contribution) -> list[Contribution]:
    """The entry, what it corrects, and every correction made to it or its replacements."""
    root = contribution
    while root.corrects_id is not None:
        root = root.corrects
    chain, frontier = [root], [root.pk]
    while frontier:
        children = list(_entries().filter(corrects_id__in=frontier).order_by("id"))
        chain.extend(children)
        frontier = [child.pk for child in children if not child.is_reversal]
    return chain


def contribution_is_corrected(contribution: Contribution) -> bool:
    return Contribution.objects.filter(corrects=contribution, is_reversal=True).exists()


# --------------------------------------------------------------------------------------------
# The timebank
# --------------------------------------------------------------------------------------------


def timebank_of(initiative: Initiative) -> Timebank | None:
    return Timebank.objects.filter(initiative=initiative).first()


def account_of(person, timebank: Timebank | None) -> TimebankAccount | None:
    if timebank is None or not getattr(person, "is_authenticated", False):
        return None
    return TimebankAccount.objects.filter(timebank=timebank, person=person).first()


def timebank_listings(
    timebank: Timebank, *, kind: str = "", category: str = ""
) -> QuerySet[Listing]:
    qs = timebank.listings.filter(status=Listing.Status.OPEN).select_related("account__person")
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    return qs


def account_movements(account: TimebankAccount) -> QuerySet[Movement]:
    return account.movements.select_related("transfer", "transfer__exchange").order_by(
        "-transfer__created_at", "-transfer_id"
    )


def account_exchanges(account: TimebankAccount) -> QuerySet[Exchange]:
    return (
        Exchange.objects.filter(Q(giver=account) | Q(receiver=account))
        .select_related("giver__person", "receiver__person", "listing")
        .order_by("-created_at", "-id")
    )


def timebank_accounts(timebank: Timebank) -> QuerySet[TimebankAccount]:
    """Every account with its balance derived from the movements beside the cached one."""
    return (
        timebank.accounts.select_related("person")
        .annotate(derived=Sum("movements__amount", default=ZERO))
        .order_by("person__display_name", "id")
    )


@dataclass(frozen=True)
class TimebankReport:
    accounts: int
    total_balance: Decimal
    mismatched_accounts: list[int]
    unbalanced_transfers: list[int]
    out_of_limits: list[int]

    @property
    def ok(self) -> bool:
        return not (self.mismatched_accounts or self.unbalanced_transfers or self.total_balance)


def timebank_check(timebank: Timebank) -> TimebankReport:
    """Verify the double entry in the database: each transfer's movements sum to zero, each cached
    balance equals the sum of its movements, and all balances together sum to zero."""
    accounts = list(timebank_accounts(timebank))
    mismatched = [
        account.pk for account in accounts if _cents(account.balance) != _cents(account.derived)
    ]
    per_transfer = (
        Movement.objects.filter(transfer__timebank=timebank)
        .values("transfer_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    unbalanced = [
        row["transfer_id"] for row in per_transfer if _cents(row["total"]) != 0 or row["n"] != 2
    ]
    outside = list(
        timebank.accounts.filter(
            Q(balance__lt=timebank.min_balance) | Q(balance__gt=timebank.max_balance)
        ).values_list("pk", flat=True)
    )
    total = _cents(timebank.accounts.aggregate(total=Sum("balance"))["total"])
    return TimebankReport(
        accounts=len(accounts),
        total_balance=total,
        mismatched_accounts=mismatched,
        unbalanced_transfers=unbalanced,
        out_of_limits=outside,
    )


# --------------------------------------------------------------------------------------------
# Service requests
# --------------------------------------------------------------------------------------------


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

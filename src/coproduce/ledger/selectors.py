"""Reads for the pages of the contributions ledger.

Totals come from one aggregate query grouped in the database; Python only arranges the few
dozen grouped rows into tables.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.initiatives.models import Initiative
from coproduce.initiatives.rules import is_co_lead
from coproduce.people.models import Person
from coproduce.ranges import wide_sum

from .models import (
    Capacity,
    Contribution,
    ContributionKind,
    LedgerSettings,
    ValuationRate,
)

ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")


def _cents(value) -> Decimal:
    """Aggregates come back from SQLite as binary floating point (its DECIMAL is REAL), so a
    sum of 0.25 and 0.41 may read -5.6e-17 instead of 0; round every sum to the hundredth that
    the ledger keeps."""
    return Decimal(value or 0).quantize(HUNDREDTH)


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
        .annotate(quantity=wide_sum("quantity"), value=wide_sum("value"))
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
        "person", "organisation", "phase", "confirmed_by", "recorded_by"
    )


def person_contributions(person: Person, initiative: Initiative) -> QuerySet[Contribution]:
    return _entries().filter(person=person, initiative=initiative).order_by("-occurred_on", "-id")


def person_contribution_summary(person: Person, initiative: Initiative) -> dict[str, Decimal]:
    sums = Contribution.objects.filter(
        person=person, initiative=initiative, status=Contribution.Status.CONFIRMED
    ).aggregate(
        hours=wide_sum("quantity", filter=Q(kind=ContributionKind.TIME)),
        value=wide_sum("value"),
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
    return pending.filter(supervised_by=person)


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

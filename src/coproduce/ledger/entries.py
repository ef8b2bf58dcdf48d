"""Building one ledger entry: the draft a service fills in, its value, its phase and the
capacity in which a person contributes.

These are the ledger's building blocks, not services: they check the entry's own consistency
(phase, activity, organisation, value) but no permission and write no audit row. The services in
``services.py`` and the stage apps' services (a shift's hours confirmed in co-delivery) check their
actor's permission, call :func:`new_contribution` inside their transaction and record the audit
entry themselves.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from coproduce.initiatives.models import Initiative, Participation, Phase
from coproduce.people.models import Membership, Organisation, Person
from coproduce.ranges import contribution_quantity_problem, has_places

from .models import (
    Capacity,
    Contribution,
    ContributionKind,
    ValuationRate,
    first_of_month,
)

HUNDREDTH = Decimal("0.01")


def parse_hours(value, *, field: str = "hours") -> Decimal:
    """A positive number of hours (or units) with at most two decimals."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("Enter a number greater than zero.")})
    if amount.adjusted() >= 12:  # past any range, and too wide for the column
        raise ValidationError({field: _("Enter a smaller number.")})
    if not has_places(amount, 2):
        raise ValidationError({field: _("Use at most two decimals.")})
    return amount.quantize(HUNDREDTH)


@dataclass(frozen=True)
class ContributionDraft:
    """What is needed to record one contribution; the service fills in the rest."""

    person: Person
    kind: str
    quantity: Decimal
    occurred_on: dt.date
    capacity: str = Capacity.CITIZEN
    organisation: Organisation | None = None
    phase: Phase | None = None
    # What it was for: an activity of a stage component (a co-delivery shift or task), which
    # the ledger knows only through ``activities`` (ADR 0004); and who supervised it (by default
    # the activity's ``supervisor``, e.g. a shift's professional).
    activity: models.Model | None = None
    supervised_by: Person | None = None
    work_type: str = ""
    description: str = ""


class Valuer:
    """The initiative's replacement-cost rates, loaded once per service call."""

    def __init__(self, initiative: Initiative):
        self.rates = {
            (kind, work_type.strip().lower()): amount
            for kind, work_type, amount in ValuationRate.objects.filter(
                initiative=initiative
            ).values_list("kind", "work_type", "amount")
        }

    def value(self, kind: str, work_type: str, quantity: Decimal) -> Decimal:
        if kind == ContributionKind.MONEY:
            return quantity
        rate = self.rates.get((kind, work_type.strip().lower()))
        if rate is None:
            rate = self.rates.get((kind, ""), Decimal("0"))
        return (quantity * rate).quantize(HUNDREDTH)


class Phases:
    """Which phase a date falls in: the phase whose dates contain it, else the phase under way,
    else co-delivery."""

    def __init__(self, initiative: Initiative):
        self.phases = list(initiative.phases.all())

    def on(self, day: dt.date) -> Phase | None:
        for phase in self.phases:
            if phase.starts_on and phase.ends_on and phase.starts_on <= day <= phase.ends_on:
                return phase
        for phase in self.phases:
            if phase.status == Phase.Status.OPEN:
                return phase
        return next((p for p in self.phases if p.kind == Phase.Kind.DELIVER), None)


def check_draft(initiative: Initiative, draft: ContributionDraft, today: dt.date) -> None:
    errors: dict[str, str] = {}
    if draft.kind not in ContributionKind.values:
        errors["kind"] = _("Unknown kind of contribution.")
    if draft.capacity not in Capacity.values:
        errors["capacity"] = _("Unknown capacity.")
    elif problem := contribution_quantity_problem(draft.kind, Decimal(draft.quantity)):
        errors["quantity"] = problem
    if draft.occurred_on > today:
        errors["occurred_on"] = _("A contribution cannot be in the future.")
    if (draft.capacity == Capacity.ORGANISATION) != (draft.organisation is not None):
        errors["organisation"] = _(
            "Name the organisation when, and only when, contributing on its behalf."
        )
    if draft.activity is not None and draft.activity.initiative_id != initiative.pk:
        errors["activity"] = _("Choose an activity of this initiative.")
    if draft.phase is not None and draft.phase.initiative_id != initiative.pk:
        errors["phase"] = _("Choose a phase of this initiative.")
    if errors:
        raise ValidationError(errors)


def check_organisation(person: Person, initiative: Initiative, organisation: Organisation) -> None:
    """Only someone who belongs to an organisation may give on its behalf."""
    if Membership.objects.filter(person=person, organisation=organisation).exists():
        return
    if Participation.objects.filter(
        person=person, initiative=initiative, organisation=organisation
    ).exists():
        return
    raise ValidationError(
        {
            "organisation": _("%(person)s does not belong to %(organisation)s.")
            % {"person": person, "organisation": organisation}
        }
    )


def new_contribution(
    *,
    initiative: Initiative,
    valuer: Valuer,
    phases: Phases,
    draft: ContributionDraft,
    actor: Person | None,
    source: str,
    now: dt.datetime,
    confirm: bool,
) -> Contribution:
    quantity = Decimal(draft.quantity).quantize(HUNDREDTH)
    confirmed = confirm and actor is not None and actor.pk != draft.person.pk
    return Contribution(
        initiative=initiative,
        phase=draft.phase or phases.on(draft.occurred_on),
        activity=draft.activity,
        supervised_by=draft.supervised_by or getattr(draft.activity, "supervisor", None),
        person=draft.person,
        capacity=draft.capacity,
        organisation=draft.organisation,
        kind=draft.kind,
        work_type=draft.work_type,
        quantity=quantity,
        value=valuer.value(draft.kind, draft.work_type, quantity),
        occurred_on=draft.occurred_on,
        month=first_of_month(draft.occurred_on),
        description=draft.description,
        status=Contribution.Status.CONFIRMED if confirmed else Contribution.Status.PENDING,
        source=source,
        recorded_by=actor,
        recorded_at=now,
        confirmed_by=actor if confirmed else None,
        confirmed_at=now if confirmed else None,
    )


def capacity_of(person: Person, initiative: Initiative) -> tuple[str, Organisation | None]:
    """The capacity in which a person usually contributes to an initiative, from their role."""
    participation = (
        Participation.objects.filter(person=person, initiative=initiative)
        .select_related("organisation")
        .first()
    )
    if participation is None:
        return Capacity.CITIZEN, None
    if participation.role == Participation.Role.PARTNER and participation.organisation:
        return Capacity.ORGANISATION, participation.organisation
    if participation.role == Participation.Role.PROFESSIONAL or (
        participation.role == Participation.Role.CO_LEAD and participation.organisation
    ):
        return Capacity.PROFESSIONAL, None
    return Capacity.CITIZEN, None

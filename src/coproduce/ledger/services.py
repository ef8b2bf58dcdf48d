"""Every write of the contributions ledger.

Each function checks its actor, takes keyword arguments only and runs in one transaction with
its audit row (ADR 0001, ADR 0005). Rows whose counters or balances change are locked first
(``select_for_update``) and changed with F-expressions; the audit row is written last, so the
global audit lock is never held while waiting for a row lock.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record
from coproduce.initiatives.models import Initiative, Participation, Phase
from coproduce.initiatives.rules import CO_LEADS_ONLY
from coproduce.people.models import Membership, Organisation, Person
from coproduce.people.permissions import require

from .entries import (
    ContributionDraft,
    Phases,
    Valuer,
    capacity_of,
    check_draft,
    check_organisation,
    new_contribution,
    parse_hours,
)
from .imports import RowProblem, parse_contributions_csv
from .models import Capacity, Contribution, LedgerSettings, ValuationRate


def contribution_record(
    *,
    actor: Person,
    initiative: Initiative,
    person: Person,
    kind: str,
    quantity: Decimal | str,
    occurred_on: dt.date,
    capacity: str | None = None,
    organisation: Organisation | None = None,
    phase: Phase | None = None,
    activity: models.Model | None = None,
    work_type: str = "",
    description: str = "",
    source: str = Contribution.Source.WEB,
    now: dt.datetime | None = None,
) -> Contribution:
    """Record one contribution, waiting for a second party to confirm it.

    People record their own; co-leads may record on someone's behalf (from a paper timesheet).
    The replacement value is computed now from the initiative's rates and kept, so a later change
    of rate does not rewrite the value of past work.
    """
    now = now or timezone.now()
    if actor.pk != person.pk:
        require(
            actor,
            "ledger.record_for_others",
            initiative,
            _("Only co-leads may record contributions for someone else."),
        )
    else:
        require(
            actor,
            "ledger.record_contribution",
            initiative,
            _("Confirm your email address before recording contributions."),
        )
    if capacity is None:
        capacity, default_organisation = capacity_of(person, initiative)
        organisation = organisation or default_organisation
        if organisation is not None:
            capacity = Capacity.ORGANISATION
    draft = ContributionDraft(
        person=person,
        kind=kind,
        quantity=parse_hours(quantity, field="quantity"),
        occurred_on=occurred_on,
        capacity=capacity,
        organisation=organisation,
        phase=phase,
        activity=activity,
        work_type=work_type or getattr(activity, "work_type", ""),
        description=description,
    )
    check_draft(initiative, draft, timezone.localdate(now))
    if organisation is not None:
        check_organisation(person, initiative, organisation)
    with transaction.atomic():
        contribution = new_contribution(
            initiative=initiative,
            valuer=Valuer(initiative),
            phases=Phases(initiative),
            draft=draft,
            actor=actor,
            source=source,
            now=now,
            confirm=False,
        )
        contribution.full_clean()
        contribution.save()
        audit_record(
            actor=actor,
            action="contribution.record",
            target=contribution,
            payload={
                "initiative": initiative.pk,
                "person": person.pk,
                "kind": kind,
                "quantity": contribution.quantity,
                "capacity": capacity,
                "organisation": organisation.pk if organisation else None,
            },
        )
    return contribution


def contribution_record_many(
    *,
    actor: Person | None,
    initiative: Initiative,
    drafts: Sequence[ContributionDraft],
    source: str = Contribution.Source.IMPORT,
    confirm: bool = False,
    now: dt.datetime | None = None,
    batch_size: int = 5000,
) -> int:
    """Record many contributions in one transaction with one audit entry (imports, the demo, the
    benchmark). With ``confirm``, the actor confirms every entry that is not their own.

    Each draft is checked as :func:`contribution_record` would; the first bad one refuses the
    whole batch.
    """
    require(
        actor,
        "ledger.import_contributions",
        initiative,
        CO_LEADS_ONLY,
    )
    now = now or timezone.now()
    today = timezone.localdate(now)
    valuer, phases = Valuer(initiative), Phases(initiative)
    members: set[tuple[int, int]] = set()
    if any(draft.organisation is not None for draft in drafts):
        members = set(Membership.objects.values_list("person_id", "organisation_id")) | set(
            Participation.objects.filter(initiative=initiative)
            .exclude(organisation=None)
            .values_list("person_id", "organisation_id")
        )
    rows = []
    for index, draft in enumerate(drafts):
        try:
            parse_hours(draft.quantity, field="quantity")
            check_draft(initiative, draft, today)
            if draft.organisation is not None and (
                (draft.person.pk, draft.organisation.pk) not in members
            ):
                raise ValidationError(
                    {
                        "organisation": _("%(person)s does not belong to %(organisation)s.")
                        % {"person": draft.person, "organisation": draft.organisation}
                    }
                )
        except ValidationError as error:
            raise ValidationError(
                _("Entry %(number)d: %(problem)s")
                % {"number": index + 1, "problem": " ".join(error.messages)}
            ) from error
        rows.append(
            new_contribution(
                initiative=initiative,
                valuer=valuer,
                phases=phases,
                draft=draft,
                actor=actor,
                source=source,
                now=now,
                confirm=confirm,
            )
        )
    with transaction.atomic():
        Contribution.objects.bulk_create(rows, batch_size=batch_size)
        confirmed = sum(1 for row in rows if row.status == Contribution.Status.CONFIRMED)
        audit_record(
            actor=actor,
            action="contribution.record_many",
            target=initiative,
            payload={"count": len(rows), "confirmed": confirmed, "source": source},
        )
    return len(rows)


@dataclass(frozen=True)
class ImportReport:
    """What an import did: how many rows were read and recorded, and every problem found."""

    rows: int
    imported: int
    confirmed: bool
    problems: list[RowProblem]

    @property
    def rejected(self) -> bool:
        return bool(self.problems) and self.imported == 0

    @property
    def skipped(self) -> int:
        return len([problem for problem in self.problems if problem.line])


def contribution_import(
    *,
    actor: Person,
    initiative: Initiative,
    content: bytes,
    skip_bad_rows: bool = False,
    confirm: bool = False,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import a CSV timesheet. Every row is checked first; with any bad row nothing is recorded
    unless ``skip_bad_rows``, in which case the good rows are recorded and the bad ones reported.
    With ``confirm`` the importer vouches for the rows (except their own, which stay pending)."""
    require(
        actor,
        "ledger.import_contributions",
        initiative,
        _("Only the initiative's co-leads may import contributions."),
    )
    parsed = parse_contributions_csv(initiative=initiative, content=content)
    file_problem = any(problem.line in (0, 1) and not parsed.rows for problem in parsed.problems)
    if (parsed.problems and not skip_bad_rows) or file_problem or not parsed.rows:
        problems = parsed.problems or [RowProblem(0, _("The file has no contribution rows."))]
        return ImportReport(rows=parsed.lines_read, imported=0, confirmed=False, problems=problems)
    drafts = [
        ContributionDraft(
            person=row.person,
            kind=row.kind,
            quantity=row.quantity,
            occurred_on=row.occurred_on,
            capacity=row.capacity,
            organisation=row.organisation,
            phase=row.phase,
            activity=row.activity,
            work_type=row.work_type,
            description=row.description,
        )
        for row in parsed.rows
    ]
    count = contribution_record_many(
        actor=actor,
        initiative=initiative,
        drafts=drafts,
        source=Contribution.Source.IMPORT,
        confirm=confirm,
        now=now,
    )
    return ImportReport(
        rows=parsed.lines_read, imported=count, confirmed=confirm, problems=parsed.problems
    )


def _lock_contribution(contribution: Contribution) -> Contribution:
    return (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("initiative", "person")
        .get(pk=contribution.pk)
    )


def contribution_confirm(
    *, actor: Person, contribution: Contribution, now: dt.datetime | None = None
) -> Contribution:
    """The second party confirms a pending (or disputed, once resolved) contribution."""
    now = now or timezone.now()
    with transaction.atomic():
        contribution = _lock_contribution(contribution)
        require(
            actor,
            "ledger.confirm_contribution",
            contribution,
            _("Only a co-lead or the shift's professional may confirm, never the contributor."),
        )
        if contribution.status not in (
            Contribution.Status.PENDING,
            Contribution.Status.DISPUTED,
        ):
            raise ValidationError(_("Only a pending or disputed contribution can be confirmed."))
        previous = contribution.status
        contribution.status = Contribution.Status.CONFIRMED
        contribution.confirmed_by, contribution.confirmed_at = actor, now
        contribution.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit_record(
            actor=actor,
            action="contribution.confirm",
            target=contribution,
            payload={"from": previous},
        )
    return contribution


def contribution_confirm_bulk(
    *,
    actor: Person,
    initiative: Initiative,
    ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Confirm every pending contribution of an initiative (or those listed) in one UPDATE,
    except the actor's own: two parties still, at any scale. One audit entry records the count.
    """
    now = now or timezone.now()
    require(
        actor,
        "ledger.confirm_all_contributions",
        initiative,
        _("Only the initiative's co-leads may confirm contributions in bulk."),
    )
    with transaction.atomic():
        pending = Contribution.objects.filter(
            initiative=initiative, status=Contribution.Status.PENDING
        ).exclude(person=actor)
        listed = None
        if ids is not None:
            listed = sorted(set(ids))
            pending = pending.filter(pk__in=listed)
        count = pending.update(
            status=Contribution.Status.CONFIRMED, confirmed_by=actor, confirmed_at=now
        )
        audit_record(
            actor=actor,
            action="contribution.confirm_bulk",
            target=initiative,
            payload={"count": count, "ids": listed if listed and len(listed) <= 1000 else None},
        )
    return count


def contribution_dispute(
    *, actor: Person, contribution: Contribution, reason: str, now: dt.datetime | None = None
) -> Contribution:
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you dispute this contribution.")})
    with transaction.atomic():
        contribution = _lock_contribution(contribution)
        require(
            actor,
            "ledger.confirm_contribution",
            contribution,
            _("Only a co-lead or the shift's professional may dispute, never the contributor."),
        )
        if contribution.status != Contribution.Status.PENDING:
            raise ValidationError(_("Only a pending contribution can be disputed."))
        contribution.status = Contribution.Status.DISPUTED
        contribution.disputed_by, contribution.disputed_at = actor, now
        contribution.dispute_reason = reason
        contribution.save(update_fields=["status", "disputed_by", "disputed_at", "dispute_reason"])
        audit_record(actor=actor, action="contribution.dispute", target=contribution)
    return contribution


def contribution_withdraw(*, actor: Person, contribution: Contribution) -> Contribution:
    """The contributor takes back an entry nobody has confirmed (e.g. after a dispute)."""
    with transaction.atomic():
        contribution = _lock_contribution(contribution)
        require(
            actor,
            "ledger.withdraw_contribution",
            contribution,
            _("Only the contributor may withdraw a contribution."),
        )
        if contribution.status not in (
            Contribution.Status.PENDING,
            Contribution.Status.DISPUTED,
        ):
            raise ValidationError(_("Only a pending or disputed contribution can be withdrawn."))
        contribution.status = Contribution.Status.WITHDRAWN
        contribution.save(update_fields=["status"])
        audit_record(actor=actor, action="contribution.withdraw", target=contribution)
    return contribution


def contribution_correct(
    *,
    actor: Person,
    contribution: Contribution,
    reason: str,
    quantity: Decimal | str | None = None,
    work_type: str | None = None,
    occurred_on: dt.date | None = None,
    description: str | None = None,
    cancel: bool = False,
    now: dt.datetime | None = None,
) -> tuple[Contribution, Contribution | None]:
    """Correct a confirmed contribution without touching it: write a reversal that cancels it
    and, unless ``cancel``, a replacement with the right figures. Both link to the original and
    are confirmed by the actor (a second party, as for any confirmation)."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the contribution is corrected.")})
    with transaction.atomic():
        original = _lock_contribution(contribution)
        require(
            actor,
            "ledger.correct_contribution",
            original,
            _("Only a co-lead or the shift's professional may correct, never the contributor."),
        )
        if original.status != Contribution.Status.CONFIRMED or original.is_reversal:
            raise ValidationError(_("Only a confirmed contribution is corrected."))
        if Contribution.objects.filter(corrects=original, is_reversal=True).exists():
            raise ValidationError(_("This contribution has already been corrected."))
        reversal = Contribution(
            initiative=original.initiative,
            phase=original.phase,
            activity_type_id=original.activity_type_id,
            activity_id=original.activity_id,
            supervised_by_id=original.supervised_by_id,
            person=original.person,
            capacity=original.capacity,
            organisation=original.organisation,
            kind=original.kind,
            work_type=original.work_type,
            quantity=-original.quantity,
            value=-original.value,
            occurred_on=original.occurred_on,
            description=original.description,
            status=Contribution.Status.CONFIRMED,
            source=Contribution.Source.CORRECTION,
            recorded_by=actor,
            recorded_at=now,
            confirmed_by=actor,
            confirmed_at=now,
            corrects=original,
            is_reversal=True,
            correction_reason=reason,
        )
        reversal.full_clean()
        reversal.save()
        replacement = None
        if not cancel:
            draft = ContributionDraft(
                person=original.person,
                kind=original.kind,
                quantity=parse_hours(
                    original.quantity if quantity in (None, "") else quantity, field="quantity"
                ),
                occurred_on=occurred_on or original.occurred_on,
                capacity=original.capacity,
                organisation=original.organisation,
                phase=original.phase,
                activity=original.activity,
                supervised_by=original.supervised_by,
                work_type=original.work_type if work_type is None else work_type,
                description=original.description if description is None else description,
            )
            check_draft(original.initiative, draft, timezone.localdate(now))
            replacement = new_contribution(
                initiative=original.initiative,
                valuer=Valuer(original.initiative),
                phases=Phases(original.initiative),
                draft=draft,
                actor=actor,
                source=Contribution.Source.CORRECTION,
                now=now,
                confirm=True,
            )
            replacement.corrects = original
            replacement.correction_reason = reason
            replacement.full_clean()
            replacement.save()
        audit_record(
            actor=actor,
            action="contribution.cancel" if cancel else "contribution.correct",
            target=original,
            payload={
                "reversal": reversal.pk,
                "replacement": replacement.pk if replacement else None,
                "quantity": replacement.quantity if replacement else None,
            },
        )
    return reversal, replacement


def ledger_settings_update(
    *, actor: Person, initiative: Initiative, currency: str
) -> LedgerSettings:
    require(
        actor,
        "ledger.set_rates",
        initiative,
        CO_LEADS_ONLY,
    )
    currency = currency.strip().upper()
    with transaction.atomic():
        ledger, _created = LedgerSettings.objects.select_for_update().get_or_create(
            initiative=initiative
        )
        if ledger.currency != currency:
            ledger.currency = currency
            ledger.full_clean()
            ledger.save(update_fields=["currency"])
            audit_record(
                actor=actor,
                action="ledger.update",
                target=ledger,
                payload={"currency": currency},
            )
    return ledger


def valuation_rate_set(
    *,
    actor: Person,
    initiative: Initiative,
    kind: str,
    work_type: str,
    amount: Decimal,
    unit: str = "hour",
) -> ValuationRate:
    """Set the replacement-cost rate for a kind of work (creating or changing it). Entries
    already recorded keep the value they were given."""
    require(
        actor,
        "ledger.set_rates",
        initiative,
        CO_LEADS_ONLY,
    )
    with transaction.atomic():
        rate = ValuationRate.objects.select_for_update().filter(
            initiative=initiative, kind=kind, work_type__iexact=work_type.strip()
        ).first() or ValuationRate(initiative=initiative, kind=kind, work_type=work_type.strip())
        rate.amount, rate.unit = amount, unit
        rate.full_clean()
        rate.save()
        audit_record(
            actor=actor,
            action="valuation_rate.set",
            target=rate,
            payload={"kind": kind, "work_type": rate.work_type, "amount": amount, "unit": unit},
        )
    return rate


def valuation_rate_delete(*, actor: Person, rate: ValuationRate) -> None:
    require(
        actor,
        "ledger.set_rates",
        rate.initiative,
        CO_LEADS_ONLY,
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="valuation_rate.delete",
            target=rate,
            payload={"kind": rate.kind, "work_type": rate.work_type},
        )
        rate.delete()

"""Every write of co-delivery: tasks and shifts, the contributions ledger, the timebank and
service requests.

Each function takes keyword arguments only, runs in one transaction and appends to the audit log,
so the web pages, the Open311 API, the CSV import, the demo loader and the benchmark behave
identically. Rows whose counters or balances change are locked first (``select_for_update``) and
changed with F-expressions; the audit row is written last, so the global audit lock is never held
while waiting for a row lock.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from coproduce.audit.services import audit_record
from coproduce.initiatives.models import Initiative, Participation, Phase
from coproduce.initiatives.services import initiative_join
from coproduce.people.models import Membership, Organisation, Person

from . import selectors
from .imports import RowProblem, parse_contributions_csv
from .models import (
    ApiKey,
    CalendarFeed,
    Capacity,
    CategoryAttribute,
    Contribution,
    ContributionKind,
    Exchange,
    LedgerSettings,
    Listing,
    Movement,
    RequestCategory,
    RequestUpdate,
    Requirement,
    RequirementConfirmation,
    ServiceRequest,
    Shift,
    ShiftSignup,
    Task,
    Timebank,
    TimebankAccount,
    Transfer,
    ValuationRate,
    first_of_month,
)

logger = logging.getLogger(__name__)

HUNDREDTH = Decimal("0.01")
CLOSED_INITIATIVE = (Initiative.Status.ARCHIVED, Initiative.Status.COMPLETED)


def _require(actor, perm: str, obj, message: str) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _hours(value, *, field: str = "hours") -> Decimal:
    """A positive number of hours (or units) with at most two decimals."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("Enter a number greater than zero.")})
    if amount != amount.quantize(HUNDREDTH):
        raise ValidationError({field: _("Use at most two decimals.")})
    return amount.quantize(HUNDREDTH)


def _ensure_participant(person: Person, initiative: Initiative) -> None:
    """Taking part in a task or a timebank makes a person a participant (as a citizen)."""
    if not Participation.objects.filter(person=person, initiative=initiative).exists():
        initiative_join(person=person, initiative=initiative)


# --------------------------------------------------------------------------------------------
# Requirements, tasks and shifts
# --------------------------------------------------------------------------------------------


def requirement_create(
    *,
    actor: Person,
    initiative: Initiative,
    name: str,
    description: str = "",
    valid_days: int | None = None,
) -> Requirement:
    with transaction.atomic():
        requirement = Requirement(
            initiative=initiative, name=name.strip(), description=description, valid_days=valid_days
        )
        requirement.full_clean()
        requirement.save()
        audit_record(
            actor=actor,
            action="requirement.create",
            target=requirement,
            payload={"initiative": initiative.pk, "valid_days": valid_days},
        )
    return requirement


def requirement_confirm(
    *,
    actor: Person,
    requirement: Requirement,
    person: Person,
    note: str = "",
    now: dt.datetime | None = None,
) -> RequirementConfirmation:
    """A professional confirms (or renews) that a person meets a requirement."""
    now = now or timezone.now()
    _require(
        actor,
        "delivery.confirm_requirements",
        requirement.initiative,
        _("Only the initiative's professionals and co-leads may confirm requirements."),
    )
    if actor.pk == person.pk:
        raise ValidationError(_("Someone else must confirm your own requirements."))
    expires_on = None
    if requirement.valid_days:
        expires_on = timezone.localdate(now) + dt.timedelta(days=requirement.valid_days)
    with transaction.atomic():
        confirmation, created = (
            RequirementConfirmation.objects.select_for_update().update_or_create(
                requirement=requirement,
                person=person,
                defaults={
                    "confirmed_by": actor,
                    "confirmed_at": now,
                    "expires_on": expires_on,
                    "note": note,
                },
            )
        )
        audit_record(
            actor=actor,
            action="requirement.confirm" if created else "requirement.renew",
            target=confirmation,
            payload={
                "requirement": requirement.pk,
                "person": person.pk,
                "expires_on": expires_on,
            },
        )
    return confirmation


TASK_EDITABLE = (
    "title",
    "description",
    "address",
    "latitude",
    "longitude",
    "skills",
    "work_type",
    "status",
)


def _check_requirements_belong(initiative: Initiative, requirements: Iterable[Requirement]) -> None:
    if any(requirement.initiative_id != initiative.pk for requirement in requirements):
        raise ValidationError({"requirements": _("Choose requirements of this initiative.")})


def task_create(
    *,
    actor: Person,
    initiative: Initiative,
    title: str,
    description: str,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    skills: str = "",
    work_type: str = "",
    requirements: Sequence[Requirement] = (),
    status: str = Task.Status.OPEN,
) -> Task:
    """Publish a task of the initiative's co-delivery phase."""
    if initiative.status in CLOSED_INITIATIVE:
        raise ValidationError(_("This initiative is closed."))
    _check_requirements_belong(initiative, requirements)
    with transaction.atomic():
        task = Task(
            initiative=initiative,
            phase=initiative.phases.filter(kind=Phase.Kind.DELIVER).first(),
            title=title,
            description=description,
            address=address,
            latitude=latitude,
            longitude=longitude,
            skills=skills,
            work_type=work_type,
            status=status,
            created_by=actor,
        )
        task.full_clean()
        task.save()
        task.requirements.set(requirements)
        audit_record(
            actor=actor,
            action="task.create",
            target=task,
            payload={
                "initiative": initiative.pk,
                "requirements": sorted(r.pk for r in requirements),
                "status": status,
            },
        )
    return task


def task_update(
    *,
    actor: Person,
    task: Task,
    requirements: Sequence[Requirement] | None = None,
    **fields,
) -> Task:
    unknown = set(fields) - set(TASK_EDITABLE)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} here")
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        changed = [name for name, value in fields.items() if getattr(task, name) != value]
        for name in changed:
            setattr(task, name, fields[name])
        task.full_clean()
        if changed:
            task.save(update_fields=changed)
        if requirements is not None:
            _check_requirements_belong(task.initiative, requirements)
            before = set(task.requirements.values_list("pk", flat=True))
            after = {r.pk for r in requirements}
            if before != after:
                task.requirements.set(requirements)
                changed.append("requirements")
        if changed:
            audit_record(
                actor=actor, action="task.update", target=task, payload={"fields": changed}
            )
    return task


def _check_professional(task: Task, professional: Person | None) -> None:
    if professional is None:
        return
    if not Participation.objects.filter(
        person=professional,
        initiative=task.initiative_id,
        role__in=[Participation.Role.PROFESSIONAL, Participation.Role.CO_LEAD],
    ).exists():
        raise ValidationError(
            {"professional": _("Choose a professional or a co-lead of this initiative.")}
        )


def shift_create(
    *,
    actor: Person,
    task: Task,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    professional: Person | None = None,
    notes: str = "",
) -> Shift:
    _check_professional(task, professional)
    with transaction.atomic():
        shift = Shift(
            task=task,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            professional=professional,
            notes=notes,
        )
        shift.full_clean()
        shift.save()
        audit_record(
            actor=actor,
            action="shift.create",
            target=shift,
            payload={
                "task": task.pk,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "capacity": capacity,
                "professional": professional.pk if professional else None,
            },
        )
    return shift


def _lock_shift(shift: Shift) -> Shift:
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("task", "task__initiative", "professional")
        .get(pk=shift.pk)
    )


def _promote_waiting(shift: Shift, now: dt.datetime) -> list[ShiftSignup]:
    """Fill free places from the waiting list, first come first served. The shift row must be
    locked by the caller."""
    free = shift.capacity - shift.booked
    if free <= 0:
        return []
    promoted = list(
        ShiftSignup.objects.select_for_update()
        .filter(shift=shift, status=ShiftSignup.Status.WAITING)
        .order_by("created_at", "id")[:free]
    )
    for signup in promoted:
        signup.status = ShiftSignup.Status.BOOKED
        signup.promoted_at = now
        signup.save(update_fields=["status", "promoted_at"])
    if promoted:
        Shift.objects.filter(pk=shift.pk).update(booked=F("booked") + len(promoted))
        shift.refresh_from_db(fields=["booked"])
        for signup in promoted:
            transaction.on_commit(lambda signup=signup: _send_promotion(signup))
    return promoted


def shift_update(
    *,
    actor: Person,
    shift: Shift,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    professional: Person | None = None,
    notes: str = "",
    now: dt.datetime | None = None,
) -> Shift:
    """Change a shift. A capacity below the places already taken is refused; more places are
    filled from the waiting list at once."""
    now = now or timezone.now()
    with transaction.atomic():
        shift = _lock_shift(shift)
        _check_professional(shift.task, professional)
        if capacity < shift.booked:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(booked)d places are already taken: the shift needs at least that many."
                    )
                    % {"booked": shift.booked}
                }
            )
        shift.starts_at, shift.ends_at, shift.capacity = starts_at, ends_at, capacity
        shift.professional, shift.notes = professional, notes
        shift.full_clean()
        shift.save(update_fields=["starts_at", "ends_at", "capacity", "professional", "notes"])
        promoted = _promote_waiting(shift, now)
        audit_record(
            actor=actor,
            action="shift.update",
            target=shift,
            payload={
                "starts_at": starts_at,
                "ends_at": ends_at,
                "capacity": capacity,
                "professional": professional.pk if professional else None,
                "promoted": [signup.pk for signup in promoted],
            },
        )
    return shift


def shift_sign_up(*, person: Person, shift: Shift, now: dt.datetime | None = None) -> ShiftSignup:
    """Take a place on a shift, or a place on its waiting list when it is full.

    The shift row is locked for the whole transaction, so concurrent sign-ups take turns; the
    CHECK constraint on ``booked`` is the last line of defence.
    """
    now = now or timezone.now()
    with transaction.atomic():
        shift = _lock_shift(shift)
        task = shift.task
        if task.status != Task.Status.OPEN or task.initiative.status in CLOSED_INITIATIVE:
            raise ValidationError(_("This task is closed."))
        if shift.starts_at <= now:
            raise ValidationError(_("This shift has already started."))
        missing = selectors.missing_requirements(person, task, today=timezone.localdate(now))
        if missing:
            raise ValidationError(
                _(
                    "Before you can take part, a professional must confirm: %(requirements)s. "
                    "Ask the initiative's co-leads."
                )
                % {"requirements": ", ".join(requirement.name for requirement in missing)}
            )
        if ShiftSignup.objects.filter(
            shift=shift, person=person, status__in=ShiftSignup.ACTIVE
        ).exists():
            raise ValidationError(_("You are already signed up for this shift."))
        _ensure_participant(person, task.initiative)
        if shift.booked < shift.capacity:
            status = ShiftSignup.Status.BOOKED
            Shift.objects.filter(pk=shift.pk).update(booked=F("booked") + 1)
        else:
            status = ShiftSignup.Status.WAITING
        signup = ShiftSignup.objects.create(
            shift=shift, person=person, status=status, created_at=now
        )
        audit_record(
            actor=person,
            action="shift.sign_up",
            target=signup,
            payload={"shift": shift.pk, "status": status},
        )
    return signup


def shift_signup_cancel(
    *, actor: Person, signup: ShiftSignup, now: dt.datetime | None = None
) -> ShiftSignup:
    """Give up a place (or leave the waiting list). A freed place goes to the first person
    waiting, in the same transaction, so it is never lost to a late-comer."""
    now = now or timezone.now()
    with transaction.atomic():
        shift = _lock_shift(signup.shift)
        signup = ShiftSignup.objects.select_for_update().get(pk=signup.pk)
        if actor.pk != signup.person_id:
            _require(
                actor,
                "delivery.manage_shift",
                shift,
                _("Only the person, the shift's professional or a co-lead may cancel."),
            )
        if signup.status == ShiftSignup.Status.CANCELLED:
            raise ValidationError(_("This sign-up is already cancelled."))
        if shift.ends_at <= now:
            raise ValidationError(_("This shift is over."))
        was_booked = signup.status == ShiftSignup.Status.BOOKED
        signup.status = ShiftSignup.Status.CANCELLED
        signup.cancelled_at = now
        signup.save(update_fields=["status", "cancelled_at"])
        promoted: list[ShiftSignup] = []
        if was_booked:
            Shift.objects.filter(pk=shift.pk).update(booked=F("booked") - 1)
            shift.refresh_from_db(fields=["booked"])
            promoted = _promote_waiting(shift, now)
        audit_record(
            actor=actor,
            action="shift.cancel_sign_up",
            target=signup,
            payload={
                "shift": shift.pk,
                "was_booked": was_booked,
                "promoted": [p.pk for p in promoted],
            },
        )
    return signup


def _capacity_of(person: Person, initiative: Initiative) -> tuple[str, Organisation | None]:
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


def shift_hours_confirm(
    *,
    actor: Person,
    signup: ShiftSignup,
    hours: Decimal | str | None = None,
    now: dt.datetime | None = None,
) -> Contribution:
    """The shift's professional (or a co-lead) confirms the hours of someone who came: a
    confirmed time contribution, linked to the task and the shift."""
    now = now or timezone.now()
    shift = signup.shift
    _require(
        actor,
        "delivery.manage_shift",
        shift,
        _("Only the shift's professional or a co-lead may confirm hours."),
    )
    if actor.pk == signup.person_id:
        raise ValidationError(_("Someone else must confirm your own hours."))
    amount = _hours(shift.duration_hours if hours in (None, "") else hours)
    if amount > 24:
        raise ValidationError({"hours": _("One shift cannot count more than 24 hours.")})
    with transaction.atomic():
        signup = (
            ShiftSignup.objects.select_for_update(of=("self",))
            .select_related("shift__task")
            .get(pk=signup.pk)
        )
        shift = signup.shift
        if signup.status != ShiftSignup.Status.BOOKED:
            raise ValidationError(_("Only people with a place on the shift have hours to confirm."))
        if shift.starts_at > now:
            raise ValidationError(_("Hours are confirmed once the shift has started."))
        if Contribution.objects.filter(
            shift=shift,
            person=signup.person,
            is_reversal=False,
            status__in=[Contribution.Status.PENDING, Contribution.Status.CONFIRMED],
        ).exists():
            raise ValidationError(_("Hours for this shift are already recorded."))
        capacity, organisation = _capacity_of(signup.person, shift.task.initiative)
        contribution = _new_contribution(
            initiative=shift.task.initiative,
            valuer=_Valuer(shift.task.initiative),
            phases=_Phases(shift.task.initiative),
            draft=ContributionDraft(
                person=signup.person,
                kind=ContributionKind.TIME,
                quantity=amount,
                occurred_on=timezone.localdate(shift.starts_at),
                capacity=capacity,
                organisation=organisation,
                phase=shift.task.phase,
                task=shift.task,
                shift=shift,
                work_type=shift.task.work_type,
                description=shift.task.title,
            ),
            actor=actor,
            source=Contribution.Source.SHIFT,
            now=now,
            confirm=True,
        )
        contribution.full_clean()
        contribution.save()
        audit_record(
            actor=actor,
            action="contribution.confirm_shift_hours",
            target=contribution,
            payload={"shift": shift.pk, "person": signup.person_id, "hours": amount},
        )
    return contribution


def _local(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _send_promotion(signup: ShiftSignup) -> None:
    person, shift = signup.person, signup.shift
    with override(person.preferred_language):
        send_mail(
            subject=_("A place freed up: %(task)s") % {"task": shift.task.title},
            message=_(
                "Hello %(name)s,\n\nA place freed up on “%(task)s” on %(when)s and it is now "
                "yours. If you cannot come after all, please cancel so someone else can.\n"
            )
            % {
                "name": person.display_name,
                "task": shift.task.title,
                "when": _local(shift.starts_at),
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[person.email],
        )


def _send_reminder(signup: ShiftSignup, base_url: str) -> None:
    person, shift = signup.person, signup.shift
    link = base_url.rstrip("/") + reverse("delivery:my_shifts")
    with override(person.preferred_language):
        send_mail(
            subject=_("Reminder: %(task)s, %(when)s")
            % {"task": shift.task.title, "when": _local(shift.starts_at)},
            message=_(
                "Hello %(name)s,\n\nThis is a reminder of your shift “%(task)s” for "
                "“%(initiative)s”.\n\nStarts: %(starts)s\nEnds: %(ends)s\nWhere: %(place)s\n\n"
                "If you cannot come, please cancel so the place goes to someone on the waiting "
                "list: %(link)s\n"
            )
            % {
                "name": person.display_name,
                "task": shift.task.title,
                "initiative": shift.task.initiative.title,
                "starts": _local(shift.starts_at),
                "ends": _local(shift.ends_at),
                "place": shift.task.address or _("see the task page"),
                "link": link,
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[person.email],
        )


def _release_reminder(signup_id: int, error: Exception) -> None:
    """Sending failed after the reminder was claimed: make it due again for the next run."""
    with transaction.atomic():
        released = ShiftSignup.objects.filter(pk=signup_id).update(reminder_sent_at=None)
        if released:
            audit_record(
                action="shift.reminder_failed",
                payload={"signup": signup_id, "error": type(error).__name__},
            )


def _deliver_reminder(signup: ShiftSignup, base_url: str) -> None:
    try:
        _send_reminder(signup, base_url)
    except Exception as error:  # noqa: BLE001 - any mail failure: retry on the next run
        logger.warning("reminder for sign-up %s not sent: %s", signup.pk, error)
        _release_reminder(signup.pk, error)


def shift_reminders_send(
    *,
    now: dt.datetime | None = None,
    lead_time: dt.timedelta = dt.timedelta(hours=24),
    base_url: str = "http://127.0.0.1:8000",
) -> int:
    """Email a reminder to everyone with a place on a shift starting within ``lead_time``.

    Idempotent: each reminder is claimed by a conditional UPDATE of ``reminder_sent_at`` before
    it is sent (after commit), so running this every few minutes sends each reminder once, and
    two overlapping runs never send the same one twice. A failed email is released for retry.
    """
    now = now or timezone.now()
    due = ShiftSignup.objects.filter(
        status=ShiftSignup.Status.BOOKED,
        reminder_sent_at__isnull=True,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + lead_time,
    ).values_list("pk", flat=True)
    sent = 0
    for signup_id in list(due):
        with transaction.atomic():
            claimed = ShiftSignup.objects.filter(
                pk=signup_id, status=ShiftSignup.Status.BOOKED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            signup = ShiftSignup.objects.select_related(
                "person", "shift", "shift__task", "shift__task__initiative"
            ).get(pk=signup_id)
            audit_record(action="shift.remind", target=signup, payload={"shift": signup.shift_id})
            transaction.on_commit(lambda signup=signup: _deliver_reminder(signup, base_url))
        sent += 1
    return sent


def calendar_feed_for(*, person: Person) -> CalendarFeed:
    """The person's private calendar address, created on first use."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.get_or_create(person=person)
        if created:
            audit_record(actor=person, action="calendar_feed.create", target=feed)
    return feed


def calendar_feed_reset(*, person: Person) -> CalendarFeed:
    """Replace the secret address, e.g. after it was shared by mistake; the old one stops
    working."""
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(person=person)
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.save(update_fields=["token"])
        audit_record(actor=person, action="calendar_feed.reset", target=feed)
    return feed


# --------------------------------------------------------------------------------------------
# The contributions ledger
# --------------------------------------------------------------------------------------------


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
    task: Task | None = None
    shift: Shift | None = None
    work_type: str = ""
    description: str = ""


class _Valuer:
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


class _Phases:
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


def _check_draft(initiative: Initiative, draft: ContributionDraft, today: dt.date) -> None:
    errors: dict[str, str] = {}
    if draft.kind not in ContributionKind.values:
        errors["kind"] = _("Unknown kind of contribution.")
    if draft.capacity not in Capacity.values:
        errors["capacity"] = _("Unknown capacity.")
    if draft.occurred_on > today:
        errors["occurred_on"] = _("A contribution cannot be in the future.")
    if (draft.capacity == Capacity.ORGANISATION) != (draft.organisation is not None):
        errors["organisation"] = _(
            "Name the organisation when, and only when, contributing on its behalf."
        )
    if draft.task is not None and draft.task.initiative_id != initiative.pk:
        errors["task"] = _("Choose a task of this initiative.")
    if draft.phase is not None and draft.phase.initiative_id != initiative.pk:
        errors["phase"] = _("Choose a phase of this initiative.")
    if draft.shift is not None and draft.shift.task_id != getattr(draft.task, "pk", None):
        errors["shift"] = _("The shift does not belong to the task.")
    if errors:
        raise ValidationError(errors)


def _check_organisation(person: Person, initiative: Initiative, organisation: Organisation) -> None:
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


def _new_contribution(
    *,
    initiative: Initiative,
    valuer: _Valuer,
    phases: _Phases,
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
        task=draft.task,
        shift=draft.shift,
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
    task: Task | None = None,
    shift: Shift | None = None,
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
        _require(
            actor,
            "delivery.record_for_others",
            initiative,
            _("Only co-leads may record contributions for someone else."),
        )
    if capacity is None:
        capacity, default_organisation = _capacity_of(person, initiative)
        organisation = organisation or default_organisation
        if organisation is not None:
            capacity = Capacity.ORGANISATION
    draft = ContributionDraft(
        person=person,
        kind=kind,
        quantity=_hours(quantity, field="quantity"),
        occurred_on=occurred_on,
        capacity=capacity,
        organisation=organisation,
        phase=phase,
        task=task,
        shift=shift,
        work_type=work_type or (task.work_type if task else ""),
        description=description,
    )
    _check_draft(initiative, draft, timezone.localdate(now))
    if organisation is not None:
        _check_organisation(person, initiative, organisation)
    with transaction.atomic():
        contribution = _new_contribution(
            initiative=initiative,
            valuer=_Valuer(initiative),
            phases=_Phases(initiative),
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
    now = now or timezone.now()
    today = timezone.localdate(now)
    valuer, phases = _Valuer(initiative), _Phases(initiative)
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
            _hours(draft.quantity, field="quantity")
            _check_draft(initiative, draft, today)
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
            _new_contribution(
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
    _require(
        actor,
        "delivery.import_contributions",
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
            task=row.task,
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
        .select_related("initiative", "shift", "person")
        .get(pk=contribution.pk)
    )


def contribution_confirm(
    *, actor: Person, contribution: Contribution, now: dt.datetime | None = None
) -> Contribution:
    """The second party confirms a pending (or disputed, once resolved) contribution."""
    now = now or timezone.now()
    with transaction.atomic():
        contribution = _lock_contribution(contribution)
        _require(
            actor,
            "delivery.confirm_contribution",
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
    _require(
        actor,
        "delivery.confirm_all_contributions",
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
        _require(
            actor,
            "delivery.confirm_contribution",
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
        _require(
            actor,
            "delivery.withdraw_contribution",
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
        _require(
            actor,
            "delivery.correct_contribution",
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
            task=original.task,
            shift=original.shift,
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
                quantity=_hours(
                    original.quantity if quantity in (None, "") else quantity, field="quantity"
                ),
                occurred_on=occurred_on or original.occurred_on,
                capacity=original.capacity,
                organisation=original.organisation,
                phase=original.phase,
                task=original.task,
                shift=original.shift,
                work_type=original.work_type if work_type is None else work_type,
                description=original.description if description is None else description,
            )
            _check_draft(original.initiative, draft, timezone.localdate(now))
            replacement = _new_contribution(
                initiative=original.initiative,
                valuer=_Valuer(original.initiative),
                phases=_Phases(original.initiative),
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
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="valuation_rate.delete",
            target=rate,
            payload={"kind": rate.kind, "work_type": rate.work_type},
        )
        rate.delete()


# --------------------------------------------------------------------------------------------
# The timebank
# --------------------------------------------------------------------------------------------


def _check_limits(min_balance: Decimal, max_balance: Decimal) -> None:
    if min_balance > 0 or max_balance < 0:
        raise ValidationError(
            _("The lowest balance must be zero or below and the highest zero or above.")
        )


def timebank_open(
    *,
    actor: Person,
    initiative: Initiative,
    min_balance: Decimal = Decimal("-10"),
    max_balance: Decimal = Decimal("40"),
) -> Timebank:
    _check_limits(min_balance, max_balance)
    with transaction.atomic():
        timebank = Timebank(initiative=initiative, min_balance=min_balance, max_balance=max_balance)
        timebank.full_clean()
        timebank.save()
        audit_record(
            actor=actor,
            action="timebank.open",
            target=timebank,
            payload={"min_balance": min_balance, "max_balance": max_balance},
        )
    return timebank


def timebank_update(
    *,
    actor: Person,
    timebank: Timebank,
    min_balance: Decimal,
    max_balance: Decimal,
    is_active: bool,
) -> Timebank:
    """Change the limits. Existing balances are not touched; a balance outside new limits may
    only move back towards them."""
    _check_limits(min_balance, max_balance)
    with transaction.atomic():
        timebank = Timebank.objects.select_for_update().get(pk=timebank.pk)
        timebank.min_balance, timebank.max_balance = min_balance, max_balance
        timebank.is_active = is_active
        timebank.full_clean()
        timebank.save(update_fields=["min_balance", "max_balance", "is_active"])
        audit_record(
            actor=actor,
            action="timebank.update",
            target=timebank,
            payload={
                "min_balance": min_balance,
                "max_balance": max_balance,
                "is_active": is_active,
            },
        )
    return timebank


def timebank_account_open(
    *, person: Person, timebank: Timebank, now: dt.datetime | None = None
) -> TimebankAccount:
    """Join the timebank (and the initiative, as a citizen, if need be)."""
    now = now or timezone.now()
    with transaction.atomic():
        account = TimebankAccount.objects.filter(timebank=timebank, person=person).first()
        if account is not None:
            return account
        if not timebank.is_active:
            raise ValidationError(_("This timebank is closed."))
        _ensure_participant(person, timebank.initiative)
        account = TimebankAccount.objects.create(timebank=timebank, person=person, opened_at=now)
        audit_record(
            actor=person,
            action="timebank.open_account",
            target=account,
            payload={"timebank": timebank.pk},
        )
    return account


def timebank_transfer(
    *,
    actor: Person | None,
    payer: TimebankAccount,
    payee: TimebankAccount,
    hours: Decimal | str,
    memo: str = "",
    now: dt.datetime | None = None,
) -> Transfer:
    """Move hours from one account to another: two movements that sum to zero.

    Both accounts are locked in a fixed order (by id), so two transfers between the same
    accounts never deadlock; the limits are checked on the locked balances, and the balances
    change with F-expressions in the same transaction as the movements.
    """
    now = now or timezone.now()
    amount = _hours(hours)
    if payer.pk == payee.pk or payer.person_id == payee.person_id:
        raise ValidationError(_("Nobody transfers time to themselves."))
    if payer.timebank_id != payee.timebank_id:
        raise ValidationError(_("Both accounts must belong to the same timebank."))
    with transaction.atomic():
        timebank = Timebank.objects.get(pk=payer.timebank_id)
        if not timebank.is_active:
            raise ValidationError(_("This timebank is closed."))
        locked = {
            account.pk: account
            for account in TimebankAccount.objects.select_for_update()
            .filter(pk__in=[payer.pk, payee.pk])
            .order_by("pk")
        }
        payer, payee = locked[payer.pk], locked[payee.pk]
        if payer.balance - amount < timebank.min_balance:
            raise ValidationError(
                _("%(person)s cannot go below %(limit)s hours (balance %(balance)s).")
                % {
                    "person": payer.person,
                    "limit": timebank.min_balance,
                    "balance": payer.balance,
                }
            )
        if payee.balance + amount > timebank.max_balance:
            raise ValidationError(
                _("%(person)s cannot hold more than %(limit)s hours (balance %(balance)s).")
                % {
                    "person": payee.person,
                    "limit": timebank.max_balance,
                    "balance": payee.balance,
                }
            )
        transfer = Transfer.objects.create(
            timebank=timebank, created_at=now, actor=actor, memo=memo[:300]
        )
        Movement.objects.bulk_create(
            [
                Movement(transfer=transfer, account=payer, amount=-amount),
                Movement(transfer=transfer, account=payee, amount=amount),
            ]
        )
        TimebankAccount.objects.filter(pk=payer.pk).update(balance=F("balance") - amount)
        TimebankAccount.objects.filter(pk=payee.pk).update(balance=F("balance") + amount)
        audit_record(
            actor=actor,
            action="timebank.transfer",
            target=transfer,
            payload={"from": payer.pk, "to": payee.pk, "hours": amount},
        )
    return transfer


def listing_create(
    *,
    person: Person,
    timebank: Timebank,
    kind: str,
    category: str,
    title: str,
    description: str = "",
    now: dt.datetime | None = None,
) -> Listing:
    now = now or timezone.now()
    with transaction.atomic():
        account = timebank_account_open(person=person, timebank=timebank, now=now)
        listing = Listing(
            timebank=timebank,
            account=account,
            kind=kind,
            category=category,
            title=title,
            description=description,
            created_at=now,
        )
        listing.full_clean()
        listing.save()
        audit_record(
            actor=person,
            action="timebank.listing_create",
            target=listing,
            payload={"kind": kind, "category": category},
        )
    return listing


def listing_close(*, actor: Person, listing: Listing) -> Listing:
    if actor.pk != listing.account.person_id:
        _require(
            actor,
            "delivery.manage_timebank",
            listing.timebank.initiative,
            _("Only the member who posted it or a co-lead may close a listing."),
        )
    with transaction.atomic():
        listing.status = Listing.Status.CLOSED
        listing.save(update_fields=["status"])
        audit_record(actor=actor, action="timebank.listing_close", target=listing)
    return listing


def exchange_propose(
    *,
    actor: Person,
    listing: Listing,
    hours: Decimal | str,
    description: str = "",
    now: dt.datetime | None = None,
) -> Exchange:
    """Answer an offer (the actor will receive help) or a request (the actor will give it)."""
    now = now or timezone.now()
    amount = _hours(hours)
    if listing.status != Listing.Status.OPEN:
        raise ValidationError(_("This listing is closed."))
    with transaction.atomic():
        account = timebank_account_open(person=actor, timebank=listing.timebank, now=now)
        if account.pk == listing.account_id:
            raise ValidationError(_("Nobody exchanges time with themselves."))
        if listing.kind == Listing.Kind.OFFER:
            giver, receiver = listing.account, account
        else:
            giver, receiver = account, listing.account
        exchange = Exchange(
            timebank=listing.timebank,
            listing=listing,
            giver=giver,
            receiver=receiver,
            hours=amount,
            description=description,
            proposed_by=actor,
            created_at=now,
        )
        exchange.full_clean()
        exchange.save()
        audit_record(
            actor=actor,
            action="timebank.exchange_propose",
            target=exchange,
            payload={
                "listing": listing.pk,
                "giver": giver.pk,
                "receiver": receiver.pk,
                "hours": amount,
            },
        )
    return exchange


def exchange_complete(
    *, actor: Person, exchange: Exchange, now: dt.datetime | None = None
) -> Exchange:
    """The receiver says the help was given: the hours move from the receiver to the giver."""
    now = now or timezone.now()
    with transaction.atomic():
        exchange = (
            Exchange.objects.select_for_update(of=("self",))
            .select_related("giver", "receiver", "timebank__initiative")
            .get(pk=exchange.pk)
        )
        _require(
            actor,
            "delivery.complete_exchange",
            exchange,
            _("Only the person who received the help (or a co-lead) may complete an exchange."),
        )
        if exchange.status != Exchange.Status.PROPOSED:
            raise ValidationError(_("This exchange is no longer waiting to be completed."))
        transfer = timebank_transfer(
            actor=actor,
            payer=exchange.receiver,
            payee=exchange.giver,
            hours=exchange.hours,
            memo=exchange.description or (exchange.listing.title if exchange.listing else ""),
            now=now,
        )
        exchange.status = Exchange.Status.COMPLETED
        exchange.completed_at, exchange.transfer = now, transfer
        exchange.save(update_fields=["status", "completed_at", "transfer"])
        audit_record(
            actor=actor,
            action="timebank.exchange_complete",
            target=exchange,
            payload={"transfer": transfer.pk},
        )
    return exchange


def exchange_cancel(*, actor: Person, exchange: Exchange) -> Exchange:
    with transaction.atomic():
        exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
        _require(
            actor,
            "delivery.cancel_exchange",
            exchange,
            _("Only the two members or a co-lead may cancel an exchange."),
        )
        if exchange.status != Exchange.Status.PROPOSED:
            raise ValidationError(_("This exchange is no longer waiting to be completed."))
        exchange.status = Exchange.Status.CANCELLED
        exchange.save(update_fields=["status"])
        audit_record(actor=actor, action="timebank.exchange_cancel", target=exchange)
    return exchange


# --------------------------------------------------------------------------------------------
# Service requests
# --------------------------------------------------------------------------------------------

PHOTO_TYPES = {
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def check_photo(photo: UploadedFile) -> None:
    """Accept JPEG, PNG, GIF or WebP images up to 5 MB, judged by their content, not their name."""
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is too large (5 MB at most).")})
    head = photo.read(16)
    photo.seek(0)
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not is_webp and not any(head.startswith(magic) for magic in PHOTO_TYPES):
        raise ValidationError({"photo": _("Send a photo as a JPEG, PNG, GIF or WebP image.")})


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
                Decimal(value)
            except InvalidOperation:
                errors[attribute.code] = _("Enter a number.")
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
    """Report a problem, on the web or through Open311."""
    now = now or timezone.now()
    if not category.is_active or category.initiative.status in CLOSED_INITIATIVE:
        raise ValidationError({"category": _("This kind of problem is not taken any more.")})
    if latitude is None and not address.strip() and not address_id.strip():
        raise ValidationError({"address": _("Say where the problem is: an address or a point.")})
    answers = clean_attributes(category, attributes or {})
    if photo:
        check_photo(photo)
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
        if photo:
            request.photo = photo
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
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Change the status with a note (the note is public, as Open311 ``status_notes``)."""
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
        if note:
            request.status_notes = note
        request.save(update_fields=["status", "updated_at", "closed_at", "status_notes"])
        RequestUpdate.objects.create(
            request=request, actor=actor, status=status, note=note, created_at=now
        )
        audit_record(
            actor=actor,
            action="service_request.update",
            target=request,
            payload={"from": previous, "to": status},
        )
    return request

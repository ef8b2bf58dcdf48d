"""Every write of co-delivery: tasks, shifts, sign-ups, requirements and calendar feeds.

Each function checks its actor, takes keyword arguments only and runs in one transaction with
its audit row (ADR 0001, ADR 0005). Rows whose counters or balances change are locked first
(``select_for_update``) and changed with F-expressions; the audit row is written last, so the
global audit lock is never held while waiting for a row lock.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record
from coproduce.initiatives.models import Initiative, Participation, Phase
from coproduce.initiatives.rules import CO_LEADS_ONLY
from coproduce.initiatives.services import participation_ensure
from coproduce.ledger.activities import activity_filter
from coproduce.ledger.entries import (
    ContributionDraft,
    Phases,
    Valuer,
    capacity_of,
    new_contribution,
    parse_hours,
)
from coproduce.ledger.models import Contribution, ContributionKind
from coproduce.people.mail import send_to_person
from coproduce.people.models import Person
from coproduce.people.permissions import require
from coproduce.ranges import SHIFT_HOURS

from . import selectors
from .models import CalendarFeed, Requirement, RequirementConfirmation, Shift, ShiftSignup, Task

logger = logging.getLogger(__name__)


def requirement_create(
    *,
    actor: Person,
    initiative: Initiative,
    name: str,
    description: str = "",
    valid_days: int | None = None,
) -> Requirement:
    require(
        actor,
        "delivery.manage_tasks",
        initiative,
        CO_LEADS_ONLY,
    )
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
    require(
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
    require(
        actor,
        "delivery.manage_tasks",
        initiative,
        CO_LEADS_ONLY,
    )
    if initiative.is_closed:
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
    require(
        actor,
        "delivery.manage_tasks",
        task.initiative,
        CO_LEADS_ONLY,
    )
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
    require(
        actor,
        "delivery.manage_tasks",
        task.initiative,
        CO_LEADS_ONLY,
    )
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


def _promote_waiting(shift: Shift, now: dt.datetime, *, notify: bool) -> list[ShiftSignup]:
    """Fill free places from the waiting list, first come first served, and tell each person
    by email unless ``notify`` is off. The shift row must be locked by the caller."""
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
        for signup in promoted if notify else []:
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
    notify: bool = True,
) -> Shift:
    """Change a shift. A capacity below the places already taken is refused; more places are
    filled from the waiting list at once (the people promoted are emailed unless ``notify`` is
    off)."""
    require(
        actor,
        "delivery.manage_tasks",
        shift.task.initiative,
        CO_LEADS_ONLY,
    )
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
        promoted = _promote_waiting(shift, now, notify=notify)
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
    require(person, "delivery.sign_up", shift, _("Log in to sign up for a shift."))
    now = now or timezone.now()
    with transaction.atomic():
        shift = _lock_shift(shift)
        task = shift.task
        if task.status != Task.Status.OPEN or task.initiative.is_closed:
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
        participation_ensure(person=person, initiative=task.initiative)
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
    *,
    actor: Person,
    signup: ShiftSignup,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ShiftSignup:
    """Give up a place (or leave the waiting list). A freed place goes to the first person
    waiting, in the same transaction, so it is never lost to a late-comer; they are emailed
    unless ``notify`` is off (the demo replaying history)."""
    now = now or timezone.now()
    with transaction.atomic():
        shift = _lock_shift(signup.shift)
        signup = ShiftSignup.objects.select_for_update().get(pk=signup.pk)
        if actor.pk != signup.person_id:
            require(
                actor,
                "delivery.manage_shift",
                shift,
                _("Only the person, the shift's professional or a co-lead may cancel."),
            )
        if signup.status == ShiftSignup.Status.CANCELLED:
            raise ValidationError(_("This sign-up is already cancelled."))
        if shift.ends_at <= now:
            raise ValidationError(_("This shift is over."))
        was_booked, promoted = _release_place(signup, shift, now, notify=notify)
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


def _release_place(
    signup: ShiftSignup, shift: Shift, now: dt.datetime, *, notify: bool
) -> tuple[bool, list[ShiftSignup]]:
    """Cancel a locked sign-up of a locked shift; a freed place goes to the first people
    waiting. Returns whether it held a place, and who was promoted."""
    was_booked = signup.status == ShiftSignup.Status.BOOKED
    signup.status = ShiftSignup.Status.CANCELLED
    signup.cancelled_at = now
    signup.save(update_fields=["status", "cancelled_at"])
    promoted: list[ShiftSignup] = []
    if was_booked:
        Shift.objects.filter(pk=shift.pk).update(booked=F("booked") - 1)
        shift.refresh_from_db(fields=["booked"])
        promoted = _promote_waiting(shift, now, notify=notify)
    return was_booked, promoted


def shift_signups_cancel_on_leave(
    *,
    actor: Person,
    person: Person,
    initiative: Initiative,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> list[ShiftSignup]:
    """Cancel a person's sign-ups for the initiative's shifts still to come, because they leave
    it or a co-lead removes them. Each freed place goes to the first person waiting, who is
    emailed, as with any cancellation. Shifts already started are left alone.

    The initiatives' leaving services call this through the component registry's ``on_leave``
    hook, in their transaction and while the person still takes part.
    """
    if actor is None or actor.pk != person.pk:
        require(actor, "initiatives.manage_participants", initiative, CO_LEADS_ONLY)
    else:
        require(actor, "initiatives.leave_initiative", initiative)
    now = now or timezone.now()
    with transaction.atomic():
        to_come = selectors.signups_to_come(person, initiative, now=now)
        shift_ids = sorted({signup.shift_id for signup in to_come})
        # Shifts first, in a fixed order, then their sign-ups: the order shift_sign_up and
        # shift_signup_cancel lock in, so two of them never wait for each other.
        shifts = Shift.objects.select_for_update(of=("self",)).filter(pk__in=shift_ids)
        shifts = {shift.pk: shift for shift in shifts.order_by("pk")}
        signups = list(to_come.select_for_update(of=("self",)))
        released = [
            (signup, *_release_place(signup, shifts[signup.shift_id], now, notify=notify))
            for signup in signups
        ]
        for signup, was_booked, promoted in released:
            audit_record(
                actor=actor,
                action="shift.cancel_sign_up",
                target=signup,
                payload={
                    "shift": signup.shift_id,
                    "was_booked": was_booked,
                    "promoted": [p.pk for p in promoted],
                    "reason": "left_initiative",
                },
            )
    return signups


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
    require(
        actor,
        "delivery.manage_shift",
        shift,
        _("Only the shift's professional or a co-lead may confirm hours."),
    )
    if actor.pk == signup.person_id:
        raise ValidationError(_("Someone else must confirm your own hours."))
    amount = parse_hours(shift.duration_hours if hours in (None, "") else hours)
    if amount > SHIFT_HOURS.high:
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
            **activity_filter(shift),
            person=signup.person,
            is_reversal=False,
            status__in=[Contribution.Status.PENDING, Contribution.Status.CONFIRMED],
        ).exists():
            raise ValidationError(_("Hours for this shift are already recorded."))
        capacity, organisation = capacity_of(signup.person, shift.task.initiative)
        contribution = new_contribution(
            initiative=shift.task.initiative,
            valuer=Valuer(shift.task.initiative),
            phases=Phases(shift.task.initiative),
            draft=ContributionDraft(
                person=signup.person,
                kind=ContributionKind.TIME,
                quantity=amount,
                occurred_on=timezone.localdate(shift.starts_at),
                capacity=capacity,
                organisation=organisation,
                phase=shift.task.phase,
                activity=shift,
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

    def compose() -> tuple[str, str]:
        subject = _("A place freed up: %(task)s") % {"task": shift.task.title}
        body = _(
            "Hello %(name)s,\n\nA place freed up on “%(task)s” on %(when)s and it is now "
            "yours. If you cannot come after all, please cancel so someone else can.\n"
        ) % {
            "name": person.display_name,
            "task": shift.task.title,
            "when": _local(shift.starts_at),
        }
        return subject, body

    send_to_person(person, compose)


def _send_reminder(signup: ShiftSignup, base_url: str) -> None:
    person, shift = signup.person, signup.shift
    link = base_url.rstrip("/") + reverse("delivery:my_shifts")

    def compose() -> tuple[str, str]:
        subject = _("Reminder: %(task)s, %(when)s") % {
            "task": shift.task.title,
            "when": _local(shift.starts_at),
        }
        body = _(
            "Hello %(name)s,\n\nThis is a reminder of your shift “%(task)s” for "
            "“%(initiative)s”.\n\nStarts: %(starts)s\nEnds: %(ends)s\nWhere: %(place)s\n\n"
            "If you cannot come, please cancel so the place goes to someone on the waiting "
            "list: %(link)s\n"
        ) % {
            "name": person.display_name,
            "task": shift.task.title,
            "initiative": shift.task.initiative.title,
            "starts": _local(shift.starts_at),
            "ends": _local(shift.ends_at),
            "place": shift.task.address or _("see the task page"),
            "link": link,
        }
        return subject, body

    send_to_person(person, compose)


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
    base_url: str | None = None,
) -> int:
    """Email a reminder to everyone with a place on a shift starting within ``lead_time``.

    Idempotent: each reminder is claimed by a conditional UPDATE of ``reminder_sent_at`` before
    it is sent (after commit), so running this every few minutes sends each reminder once, and
    two overlapping runs never send the same one twice. A failed email is released for retry.
    """
    now = now or timezone.now()
    base_url = base_url or settings.SITE_URL
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
    require(person, "delivery.own_calendar", None, _("Log in to see your calendar."))
    with transaction.atomic():
        feed, created = CalendarFeed.objects.get_or_create(person=person)
        if created:
            audit_record(actor=person, action="calendar_feed.create", target=feed)
    return feed


def calendar_feed_reset(*, person: Person) -> CalendarFeed:
    """Replace the secret address, e.g. after it was shared by mistake; the old one stops
    working."""
    require(person, "delivery.own_calendar", None, _("Log in to see your calendar."))
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(person=person)
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.save(update_fields=["token"])
        audit_record(actor=person, action="calendar_feed.reset", target=feed)
    return feed

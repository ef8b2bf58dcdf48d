"""What co-delivery holds about a person (see ``people.personal_data``): shift sign-ups, the
requirements professionals confirmed for them, their calendar feed, and the tasks and shifts
they created or lead."""

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from coproduce.people.personal_data import Section, register, rows

from .models import CalendarFeed, RequirementConfirmation, Shift, ShiftSignup, Task
from .services import _lock_shift, _promote_waiting


def _signups(person) -> list[dict[str, Any]]:
    return rows(
        ShiftSignup.objects.filter(person=person).order_by("created_at", "id"),
        "id",
        "shift_id",
        "shift__task__title",
        "shift__task__initiative__title",
        "shift__starts_at",
        "shift__ends_at",
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
    )


def _erase_signups(person, now: dt.datetime) -> int:
    """Places on shifts still to come are given up, each to the first person waiting; past
    sign-ups (and a shift under way, whose hours are yet to be confirmed) stay."""
    upcoming = ShiftSignup.objects.filter(
        person=person, status__in=ShiftSignup.ACTIVE, shift__starts_at__gt=now
    ).select_related("shift")
    count = 0
    for signup in upcoming:
        shift = _lock_shift(signup.shift)
        was_booked = signup.status == ShiftSignup.Status.BOOKED
        signup.status = ShiftSignup.Status.CANCELLED
        signup.cancelled_at = now
        signup.save(update_fields=["status", "cancelled_at"])
        if was_booked:
            Shift.objects.filter(pk=shift.pk).update(booked=F("booked") - 1)
            shift.refresh_from_db(fields=["booked"])
            _promote_waiting(shift, now, notify=True)
        count += 1
    return count


def _requirements(person) -> list[dict[str, Any]]:
    return rows(
        RequirementConfirmation.objects.filter(person=person).order_by("id"),
        "id",
        "requirement__name",
        "requirement__initiative__title",
        "confirmed_at",
        "expires_on",
        "note",
    )


def _erase_requirements(person, now: dt.datetime) -> int:
    """What a professional vouched for (a first-aid course, a background check) is about the
    person alone and serves only future shifts."""
    deleted, _by_model = RequirementConfirmation.objects.filter(person=person).delete()
    return deleted


def _calendar_feed(person) -> list[dict[str, Any]]:
    return rows(CalendarFeed.objects.filter(person=person), "id", "created_at")


def _erase_calendar_feed(person, now: dt.datetime) -> int:
    deleted, _by_model = CalendarFeed.objects.filter(person=person).delete()
    return deleted


def _tasks_created(person) -> list[dict[str, Any]]:
    return rows(
        Task.objects.filter(created_by=person).order_by("id"),
        "id",
        "title",
        "initiative_id",
        "initiative__title",
    )


def _shifts_led(person) -> list[dict[str, Any]]:
    return rows(
        Shift.objects.filter(professional=person).order_by("starts_at", "id"),
        "id",
        "task__title",
        "starts_at",
        "ends_at",
    )


def register_sections() -> None:
    register(
        Section(
            "shift_signups",
            (ShiftSignup,),
            _signups,
            _erase_signups,
            label=_("Your shift sign-ups"),
            on_erasure=_("Future places are given up (the waiting list moves on); past ones stay."),
        )
    )
    register(
        Section(
            "requirement_confirmations",
            (RequirementConfirmation,),
            _requirements,
            _erase_requirements,
            label=_("Requirements confirmed for you"),
            on_erasure=_("Deleted."),
        )
    )
    register(
        Section(
            "calendar_feed",
            (CalendarFeed,),
            _calendar_feed,
            _erase_calendar_feed,
            label=_("Your calendar feed"),
            on_erasure=_("Deleted: its secret address stops working."),
        )
    )
    kept = _("Kept under the pseudonym.")
    register(
        Section(
            "tasks_created", (Task,), _tasks_created, label=_("Tasks you created"), on_erasure=kept
        )
    )
    register(
        Section("shifts_led", (Shift,), _shifts_led, label=_("Shifts you lead"), on_erasure=kept)
    )

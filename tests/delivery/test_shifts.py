"""Tasks, shifts, sign-ups with a waiting list, requirements, hours, reminders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.audit.selectors import audit_verify
from coproduce.delivery import services
from coproduce.delivery.models import Shift, ShiftSignup, Task
from coproduce.initiatives.models import Participation, Phase
from coproduce.ledger.models import Contribution
from coproduce.people import mail as mail_module
from factories import PersonFactory, ShiftFactory, TaskFactory


def booked_count(shift: Shift) -> int:
    return shift.signups.filter(status=ShiftSignup.Status.BOOKED).count()


@pytest.mark.django_db
def test_task_create_belongs_to_the_co_delivery_phase_and_is_audited(initiative, co_lead):
    requirement = services.requirement_create(
        actor=co_lead, initiative=initiative, name="Background check", valid_days=1095
    )
    task = services.task_create(
        actor=co_lead,
        initiative=initiative,
        title="Crèche afternoon rota",
        description="Play and snack time with the staff.",
        latitude=Decimal("50.63"),
        longitude=Decimal("3.08"),
        skills="songs, patience",
        requirements=[requirement],
    )
    assert task.phase.kind == Phase.Kind.DELIVER
    assert task.skill_list() == ["songs", "patience"]
    assert list(task.requirements.all()) == [requirement]
    assert AuditEntry.objects.filter(action="task.create").count() == 1
    with pytest.raises(ValidationError):
        services.task_create(
            actor=co_lead,
            initiative=initiative,
            title="Half a point",
            description="x",
            latitude=Decimal("50.6"),
        )


@pytest.mark.django_db
def test_sign_up_books_then_fills_the_waiting_list(shift):
    people = [PersonFactory() for _ in range(4)]
    statuses = [services.shift_sign_up(person=p, shift=shift).status for p in people]
    assert statuses == ["booked", "booked", "waiting", "waiting"]
    shift.refresh_from_db()
    assert shift.booked == booked_count(shift) == 2
    assert shift.places_left == 0
    # Signing up made them citizens of the initiative.
    assert all(
        Participation.objects.get(person=p, initiative=shift.task.initiative).role == "citizen"
        for p in people
    )
    with pytest.raises(ValidationError, match="already signed up"):
        services.shift_sign_up(person=people[0], shift=shift)


@pytest.mark.django_db
def test_cancelling_a_place_promotes_the_first_person_waiting(
    shift, django_capture_on_commit_callbacks
):
    first, second, waiting1, waiting2 = (PersonFactory() for _ in range(4))
    for person in (first, second, waiting1, waiting2):
        services.shift_sign_up(person=person, shift=shift)
    signup = ShiftSignup.objects.get(shift=shift, person=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_signup_cancel(actor=first, signup=signup)
    statuses = dict(shift.signups.values_list("person_id", "status"))
    assert statuses[first.pk] == "cancelled"
    assert statuses[waiting1.pk] == "booked"
    assert statuses[waiting2.pk] == "waiting"
    shift.refresh_from_db()
    assert shift.booked == booked_count(shift) == 2
    assert [message.to for message in mail.outbox] == [[waiting1.email]]
    assert "freed up" in mail.outbox[0].subject
    # Leaving the waiting list frees no place.
    services.shift_signup_cancel(
        actor=waiting2, signup=ShiftSignup.objects.get(shift=shift, person=waiting2)
    )
    shift.refresh_from_db()
    assert shift.booked == 2
    # The person can sign up again after cancelling.
    again = services.shift_sign_up(person=first, shift=shift)
    assert again.status == "waiting"


@pytest.mark.django_db
def test_someone_else_cannot_cancel_my_place(shift, citizen, outsider, professional):
    signup = services.shift_sign_up(person=citizen, shift=shift)
    with pytest.raises(PermissionDenied):
        services.shift_signup_cancel(actor=outsider, signup=signup)
    services.shift_signup_cancel(actor=professional, signup=signup)  # the shift's professional
    assert ShiftSignup.objects.get(pk=signup.pk).status == "cancelled"


@pytest.mark.django_db
def test_no_sign_up_to_a_started_shift_or_a_closed_task(past_shift, shift, citizen):
    with pytest.raises(ValidationError, match="already started"):
        services.shift_sign_up(person=citizen, shift=past_shift)
    Task.objects.filter(pk=shift.task_id).update(status=Task.Status.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        services.shift_sign_up(person=citizen, shift=shift)
    assert not ShiftSignup.objects.exists()


@pytest.mark.django_db
def test_requirements_must_be_confirmed_by_a_professional_first(
    initiative, shift, citizen, professional, co_lead
):
    requirement = services.requirement_create(
        actor=co_lead, initiative=initiative, name="Background check", valid_days=365
    )
    shift.task.requirements.add(requirement)
    with pytest.raises(ValidationError, match="Background check"):
        services.shift_sign_up(person=citizen, shift=shift)
    with pytest.raises(PermissionDenied):
        services.requirement_confirm(actor=citizen, requirement=requirement, person=citizen)
    with pytest.raises(ValidationError, match="Someone else"):
        services.requirement_confirm(
            actor=professional, requirement=requirement, person=professional
        )
    # An expired confirmation does not count.
    long_ago = timezone.now() - dt.timedelta(days=400)
    services.requirement_confirm(
        actor=professional, requirement=requirement, person=citizen, now=long_ago
    )
    with pytest.raises(ValidationError, match="Background check"):
        services.shift_sign_up(person=citizen, shift=shift)
    services.requirement_confirm(actor=professional, requirement=requirement, person=citizen)
    assert services.shift_sign_up(person=citizen, shift=shift).status == "booked"
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("requirement.confirm") == 1 and actions.count("requirement.renew") == 1


@pytest.mark.django_db
def test_capacity_changes_keep_places_and_fill_from_the_waiting_list(shift, co_lead):
    people = [PersonFactory() for _ in range(4)]
    for person in people:
        services.shift_sign_up(person=person, shift=shift)
    fields = {
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "professional": shift.professional,
    }
    with pytest.raises(ValidationError, match="already taken"):
        services.shift_update(actor=co_lead, shift=shift, capacity=1, **fields)
    services.shift_update(actor=co_lead, shift=shift, capacity=3, **fields)
    shift.refresh_from_db()
    assert shift.booked == booked_count(shift) == 3
    assert ShiftSignup.objects.get(person=people[2]).status == "booked"
    assert ShiftSignup.objects.get(person=people[3]).status == "waiting"


@pytest.mark.django_db
def test_the_database_refuses_an_over_capacity_shift(shift):
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(booked=F("capacity") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(ends_at=F("starts_at"))


@pytest.mark.django_db
def test_the_database_refuses_two_active_sign_ups_of_one_person(shift, citizen):
    ShiftSignup.objects.create(
        shift=shift, person=citizen, status="waiting", created_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftSignup.objects.create(
            shift=shift, person=citizen, status="booked", created_at=timezone.now()
        )


@pytest.mark.django_db
def test_the_shift_professional_confirms_hours_as_a_confirmed_contribution(
    past_shift, citizen, professional, outsider, before
):
    signup = services.shift_sign_up(
        person=citizen, shift=past_shift, now=past_shift.starts_at - dt.timedelta(days=1)
    )
    with pytest.raises(PermissionDenied):
        services.shift_hours_confirm(actor=outsider, signup=signup, hours="2.5")
    with pytest.raises(PermissionDenied):
        services.shift_hours_confirm(actor=citizen, signup=signup, hours="2.5")
    contribution = services.shift_hours_confirm(actor=professional, signup=signup)
    assert contribution.status == Contribution.Status.CONFIRMED
    assert contribution.quantity == Decimal("2.50")  # the shift's length by default
    assert contribution.confirmed_by == professional
    assert (contribution.activity, contribution.supervised_by) == (past_shift, professional)
    assert contribution.capacity == "citizen"
    with pytest.raises(ValidationError, match="already recorded"):
        services.shift_hours_confirm(actor=professional, signup=signup, hours="1")
    assert audit_verify().ok


@pytest.mark.django_db
def test_hours_wait_for_the_shift_to_start(shift, citizen, professional):
    signup = services.shift_sign_up(person=citizen, shift=shift)
    with pytest.raises(ValidationError, match="once the shift has started"):
        services.shift_hours_confirm(actor=professional, signup=signup, hours="1")
    with pytest.raises(ValidationError):
        services.shift_hours_confirm(
            actor=professional, signup=signup, hours="30", now=shift.ends_at
        )


@pytest.mark.django_db
def test_reminders_are_sent_once_however_often_the_command_runs(
    initiative, professional, django_capture_on_commit_callbacks
):
    soon = ShiftFactory(
        task=TaskFactory(initiative=initiative),
        starts_at=timezone.now() + dt.timedelta(hours=5),
        ends_at=timezone.now() + dt.timedelta(hours=8),
    )
    later = ShiftFactory(task=soon.task, starts_at=timezone.now() + dt.timedelta(days=3))
    people = [PersonFactory(preferred_language="en") for _ in range(2)]
    for person in people:
        services.shift_sign_up(person=person, shift=soon)
    services.shift_sign_up(person=people[0], shift=later)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_shift_reminders")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert soon.task.title in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_shift_reminders")
    assert len(mail.outbox) == 2
    assert ShiftSignup.objects.filter(reminder_sent_at__isnull=False).count() == 2
    assert AuditEntry.objects.filter(action="shift.remind").count() == 2


@pytest.mark.django_db
def test_a_failed_reminder_is_released_for_the_next_run(
    shift, citizen, monkeypatch, django_capture_on_commit_callbacks
):
    services.shift_sign_up(person=citizen, shift=shift)

    def broken(**kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(mail_module, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_reminders_send(lead_time=dt.timedelta(days=3))
    assert ShiftSignup.objects.get().reminder_sent_at is None
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.shift_reminders_send(lead_time=dt.timedelta(days=3)) == 1
    assert len(mail.outbox) == 1

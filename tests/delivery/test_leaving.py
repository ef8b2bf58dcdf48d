"""Leaving an initiative, or being removed from it, frees the person's places on its shifts still
to come for the people waiting, after a page that says so."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.delivery import services
from coproduce.delivery.models import ShiftSignup
from coproduce.initiatives import services as initiative_services
from coproduce.initiatives.models import Participation
from factories import ParticipationFactory, ShiftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_shift(shift, initiative):
    """Two places, both taken (the citizen's is the first), and one person waiting."""
    people = [ParticipationFactory(initiative=initiative).person for _ in range(2)]
    return shift, people


def sign_up(person, shift, now=None):
    return services.shift_sign_up(person=person, shift=shift, now=now)


def status(signup: ShiftSignup) -> str:
    signup.refresh_from_db()
    return signup.status


def test_leaving_frees_places_to_come_for_the_people_waiting_and_keeps_the_past(
    initiative, citizen, full_shift, past_shift, django_capture_on_commit_callbacks
):
    shift, (second, waiting) = full_shift
    mine = sign_up(citizen, shift)
    sign_up(second, shift)
    queued = sign_up(waiting, shift)
    done = sign_up(citizen, past_shift, now=past_shift.starts_at - dt.timedelta(days=1))
    elsewhere = ShiftFactory()
    other_initiative = sign_up(citizen, elsewhere)
    assert status(queued) == ShiftSignup.Status.WAITING

    with django_capture_on_commit_callbacks(execute=True):
        initiative_services.initiative_leave(person=citizen, initiative=initiative)

    assert status(mine) == ShiftSignup.Status.CANCELLED
    assert status(queued) == ShiftSignup.Status.BOOKED
    shift.refresh_from_db()
    assert shift.booked == 2
    assert status(done) == ShiftSignup.Status.BOOKED  # what happened stays as it was
    assert status(other_initiative) == ShiftSignup.Status.BOOKED
    assert [message.to for message in mail.outbox] == [[waiting.email]]
    entry = AuditEntry.objects.get(action="shift.cancel_sign_up")
    assert entry.actor_id == citizen.pk and '"reason":"left_initiative"' in entry.payload
    assert AuditEntry.objects.filter(action="participation.remove").count() == 1


def test_a_waiting_list_entry_is_withdrawn_too(initiative, citizen, full_shift):
    shift, (first, second) = full_shift
    sign_up(first, shift)
    sign_up(second, shift)
    waiting = sign_up(citizen, shift)
    initiative_services.initiative_leave(person=citizen, initiative=initiative)
    assert status(waiting) == ShiftSignup.Status.CANCELLED
    shift.refresh_from_db()
    assert shift.booked == 2


def test_a_co_lead_removing_someone_frees_their_places_too(
    initiative, co_lead, citizen, full_shift
):
    shift, (_, waiting) = full_shift
    mine = sign_up(citizen, shift)
    queued = sign_up(waiting, shift)
    participation = Participation.objects.get(person=citizen, initiative=initiative)
    initiative_services.participation_remove(actor=co_lead, participation=participation)
    assert status(mine) == ShiftSignup.Status.CANCELLED
    assert status(queued) == ShiftSignup.Status.BOOKED
    entry = AuditEntry.objects.get(action="shift.cancel_sign_up")
    assert entry.actor_id == co_lead.pk


def test_a_refused_leave_cancels_nothing(initiative, co_lead, shift):
    mine = sign_up(co_lead, shift)
    with pytest.raises(ValidationError):
        initiative_services.initiative_leave(person=co_lead, initiative=initiative)
    assert status(mine) == ShiftSignup.Status.BOOKED


def test_the_service_refuses_anyone_but_the_person_or_a_co_lead(
    initiative, citizen, outsider, shift
):
    from django.core.exceptions import PermissionDenied

    mine = sign_up(citizen, shift)
    with pytest.raises(PermissionDenied):
        services.shift_signups_cancel_on_leave(
            actor=outsider, person=citizen, initiative=initiative
        )
    assert status(mine) == ShiftSignup.Status.BOOKED


def test_the_leave_page_warns_before_anything_is_cancelled(client, initiative, citizen, shift):
    mine = sign_up(citizen, shift)
    client.force_login(citizen)
    url = reverse("initiatives:leave", args=[initiative.slug])
    detail = client.get(reverse("initiatives:detail", args=[initiative.slug])).content.decode()
    assert f'href="{url}"' in detail
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Your place on “{shift.task.title}”" in text
    assert "offered to the first person waiting" in text
    assert status(mine) == ShiftSignup.Status.BOOKED

    response = client.post(url)
    assert response.status_code == 302
    assert status(mine) == ShiftSignup.Status.CANCELLED
    assert not Participation.objects.filter(person=citizen, initiative=initiative).exists()
    # Once gone, the page sends them back to the initiative.
    assert client.get(url).status_code == 302


def test_the_admin_asks_first_and_names_what_the_removal_cancels(
    client, administrator, initiative, citizen, shift
):
    mine = sign_up(citizen, shift)
    participation = Participation.objects.get(person=citizen, initiative=initiative)
    client.force_login(administrator)
    changelist = reverse("admin:initiatives_participation_changelist")
    selection = {"action": "remove_from_initiative", "_selected_action": [participation.pk]}
    confirmation = client.post(changelist, selection)
    assert confirmation.status_code == 200
    assert f"Your place on “{shift.task.title}”" in confirmation.content.decode()
    assert status(mine) == ShiftSignup.Status.BOOKED

    client.post(changelist, {**selection, "post": "yes"})
    assert status(mine) == ShiftSignup.Status.CANCELLED
    assert not Participation.objects.filter(pk=participation.pk).exists()


def test_the_admin_delete_button_goes_through_the_same_service(
    client, administrator, initiative, citizen, shift
):
    mine = sign_up(citizen, shift)
    participation = Participation.objects.get(person=citizen, initiative=initiative)
    client.force_login(administrator)
    delete = reverse("admin:initiatives_participation_delete", args=[participation.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert status(mine) == ShiftSignup.Status.CANCELLED
    assert AuditEntry.objects.filter(action="participation.remove").exists()

"""Every co-delivery model is in the admin with search and filters; evidence stays read-only."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from coproduce.audit.admin import AuditedAdmin
from coproduce.ledger import services

MODELS = [
    model
    for app in ("delivery", "ledger", "timebank", "service_requests")
    for model in apps.get_app_config(app).get_models()
]


def test_every_delivery_model_is_in_the_admin_with_search_and_filters():
    for model in MODELS:
        model_admin = admin.site._registry.get(model)
        assert model_admin is not None, model
        assert isinstance(model_admin, AuditedAdmin), model
        assert model_admin.search_fields and model_admin.list_filter, model


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelists_render_with_search(client, administrator, model):
    client.force_login(administrator)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "a"}).status_code == 200


@pytest.mark.django_db
def test_a_confirmed_contribution_cannot_be_changed_in_the_admin(
    client, administrator, initiative, citizen, co_lead
):
    entry = services.contribution_record(
        actor=citizen,
        initiative=initiative,
        person=citizen,
        kind="time",
        quantity="2",
        occurred_on=dt.date.today(),
    )
    client.force_login(administrator)
    url = reverse("admin:ledger_contribution_change", args=[entry.pk])
    assert b'name="quantity"' in client.get(url).content
    services.contribution_confirm(actor=co_lead, contribution=entry)
    page = client.get(url)
    assert page.status_code == 200 and b'name="quantity"' not in page.content
    delete = reverse("admin:ledger_contribution_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


@pytest.mark.django_db
def test_the_admin_changes_places_only_through_the_service(
    client, administrator, shift, citizen, django_capture_on_commit_callbacks
):
    from coproduce.delivery import services as delivery_services
    from factories import PersonFactory

    first, second, waiting = citizen, PersonFactory(), PersonFactory()
    for person in (first, second, waiting):
        delivery_services.shift_sign_up(person=person, shift=shift)
    client.force_login(administrator)
    change = reverse("admin:delivery_shift_change", args=[shift.pk])
    assert b'name="capacity"' not in client.get(change).content
    changelist = reverse("admin:delivery_shift_changelist")
    picked = {"action": "change_capacity", "_selected_action": [shift.pk]}
    assert b'name="capacity"' in client.post(changelist, picked).content

    client.post(changelist, {**picked, "apply": "1", "capacity": "1"}, follow=True)
    shift.refresh_from_db()
    assert shift.capacity == 2  # refused: two places are taken

    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {**picked, "apply": "1", "capacity": "3"})
    shift.refresh_from_db()
    assert (shift.capacity, shift.booked) == (3, 3)  # the person waiting got the new place
    assert shift.signups.get(person=waiting).status == "booked"


@pytest.mark.django_db
def test_a_task_or_shift_the_ledger_names_cannot_be_deleted(client, administrator, past_shift):
    from coproduce.delivery import services as delivery_services
    from coproduce.delivery.models import Task
    from factories import PersonFactory, TaskFactory

    volunteer = PersonFactory()
    signup = delivery_services.shift_sign_up(
        person=volunteer, shift=past_shift, now=past_shift.starts_at - dt.timedelta(days=1)
    )
    delivery_services.shift_hours_confirm(actor=past_shift.professional, signup=signup)
    client.force_login(administrator)
    for url in (
        reverse("admin:delivery_task_delete", args=[past_shift.task_id]),
        reverse("admin:delivery_shift_delete", args=[past_shift.pk]),
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:delivery_task_changelist")).content.decode()
    assert "delete_selected" not in changelist
    unused = TaskFactory(initiative=past_shift.task.initiative)
    client.post(reverse("admin:delivery_task_delete", args=[unused.pk]), {"post": "yes"})
    assert not Task.objects.filter(pk=unused.pk).exists()

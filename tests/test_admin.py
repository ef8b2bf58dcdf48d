"""Administrators manage every model in the Django admin, with search and filters."""

import pytest
from django.contrib import admin
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.initiatives.models import Initiative

PROJECT_MODELS = [
    model for model in admin.site._registry if model.__module__.startswith("coproduce.")
]


def test_every_project_model_is_in_the_admin():
    from django.apps import apps

    ours = {
        model
        for config in apps.get_app_configs()
        if config.name.startswith("coproduce.")
        for model in config.get_models()
    }
    assert ours <= set(admin.site._registry)


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_changelists_render_with_search(client, administrator, initiative, co_lead, model):
    client.force_login(administrator)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "a"}).status_code == 200


@pytest.mark.django_db
def test_an_admin_edit_leaves_an_audit_entry(client, administrator, initiative):
    client.force_login(administrator)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "title": "Renamed by an administrator",
            "service": initiative.service_id,
            "host": initiative.host_id,
            "phases-TOTAL_FORMS": 0,
            "phases-INITIAL_FORMS": 0,
            "participations-TOTAL_FORMS": 0,
            "participations-INITIAL_FORMS": 0,
        }
    )
    data.pop("people", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Initiative.objects.get(pk=initiative.pk).title == "Renamed by an administrator"
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor_id == administrator.pk and '"title"' in entry.payload


@pytest.mark.django_db
def test_citizens_cannot_open_the_admin(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302

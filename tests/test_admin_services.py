"""The admin changes nothing behind the services' back: inline edits are audited, and a budget's
stage and rule and who co-leads an initiative are changed only by actions calling the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.commissioning import services as budget_services
from coproduce.commissioning.models import Budget
from coproduce.initiatives.models import Initiative, Participation
from factories import PersonFactory

pytestmark = pytest.mark.django_db


def _values(form, prefix: str = "") -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or name in ("people", "password"):
            continue
        key = f"{prefix}{name}"
        if isinstance(value, dt.datetime):
            data[f"{key}_0"], data[f"{key}_1"] = value.date(), value.time()
        else:
            data[key] = value
    return data


def change_form_data(response) -> dict:
    """What the change form would post unchanged: the main form and every inline formset."""
    data = _values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = formset.total_form_count()
        data[f"{formset.prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for row in formset.forms:
            data.update(_values(row, f"{row.prefix}-"))
    return data


def test_an_inline_addition_is_audited(client, administrator, initiative, co_lead):
    client.force_login(administrator)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = change_form_data(client.get(url))
    newcomer = PersonFactory()
    data.update(
        {
            "participations-TOTAL_FORMS": 1,
            "participations-0-person": newcomer.pk,
            "participations-0-role": Participation.Role.CITIZEN,
            "participations-0-channel": Participation.Channel.ADMIN,
            "participations-0-joined_at_0": "2026-03-01",
            "participations-0-joined_at_1": "10:00:00",
            "participations-0-initiative": initiative.pk,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    added = initiative.participations.get(person=newcomer)
    entry = AuditEntry.objects.get(action="admin.inline_change")
    assert entry.actor_id == administrator.pk
    assert entry.object_id == str(initiative.pk)
    assert f'"added":[{added.pk}]' in entry.payload
    assert '"inline":"initiatives.participation"' in entry.payload


def test_co_leads_are_read_only_on_the_initiative_and_their_own_page(
    client, administrator, initiative, co_lead, citizen
):
    client.force_login(administrator)
    response = client.get(reverse("admin:initiatives_initiative_change", args=[initiative.pk]))
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Participation
    )
    assert [form.instance.person for form in formset.initial_forms] == [citizen]
    assert Participation.Role.CO_LEAD not in dict(formset.forms[0].fields["role"].choices)
    assert str(co_lead) in response.content.decode()

    lead = initiative.participations.get(person=co_lead)
    url = reverse("admin:initiatives_participation_change", args=[lead.pk])
    assert client.get(url).context["has_change_permission"] is False
    response = client.post(url, {"role": Participation.Role.CITIZEN})
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.role == Participation.Role.CO_LEAD
    delete = reverse("admin:initiatives_participation_delete", args=[lead.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def _action(client, model: str, action: str, objects, **extra: str) -> str:
    response = client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **extra},
        follow=True,
    )
    assert response.status_code == 200
    return " ".join(str(message) for message in response.context["messages"])


def test_co_leads_change_through_actions_calling_the_services(
    client, administrator, initiative, co_lead, citizen
):
    client.force_login(administrator)
    lead = initiative.participations.get(person=co_lead)
    messages = _action(client, "initiatives_participation", "step_down_as_co_lead", [lead])
    assert "only co-lead" in messages
    lead.refresh_from_db()
    assert lead.role == Participation.Role.CO_LEAD

    second = initiative.participations.get(person=citizen)
    _action(client, "initiatives_participation", "make_co_lead", [second])
    second.refresh_from_db()
    assert second.role == Participation.Role.CO_LEAD
    entry = AuditEntry.objects.get(action="participation.change_role")
    assert entry.actor_id == administrator.pk and entry.object_id == str(second.pk)

    _action(client, "initiatives_participation", "step_down_as_co_lead", [lead])
    lead.refresh_from_db()
    assert lead.role == Participation.Role.PROFESSIONAL
    _action(client, "initiatives_participation", "remove_from_initiative", [lead], post="yes")
    assert not initiative.participations.filter(person=co_lead).exists()


def test_bulk_delete_is_not_offered_for_participations(client, administrator, initiative):
    client.force_login(administrator)
    response = client.get(reverse("admin:initiatives_participation_changelist"))
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions and "make_co_lead" in actions


@pytest.fixture
def budget(initiative, co_lead) -> Budget:
    return budget_services.budget_create(
        actor=co_lead,
        initiative=initiative,
        title="Riverside budget",
        slug="riverside-budget",
        areas=[("Riverside", Decimal("1000"))],
    )


def test_a_budget_stage_and_rule_are_read_only(client, administrator, budget):
    client.force_login(administrator)
    url = reverse("admin:commissioning_budget_change", args=[budget.pk])
    response = client.get(url)
    assert {"stage", "rule"} <= set(response.context["adminform"].readonly_fields)
    data = change_form_data(response)
    data.update({"stage": Budget.Stage.PUBLISHED, "rule": Budget.Rule.GREEDY})
    assert client.post(url, data).status_code == 302
    budget.refresh_from_db()
    assert (budget.stage, budget.rule) == (Budget.Stage.DRAFT, Budget.Rule.MES)


def test_budget_actions_call_the_services_and_report_refusals(client, administrator, budget):
    client.force_login(administrator)
    _action(client, "commissioning_budget", "advance_stage", [budget])
    budget.refresh_from_db()
    assert budget.stage == Budget.Stage.PROPOSALS
    entry = AuditEntry.objects.get(action="budget.advance")
    assert entry.actor_id == administrator.pk

    _action(client, "commissioning_budget", "set_rule_greedy", [budget])
    budget.refresh_from_db()
    assert budget.rule == Budget.Rule.GREEDY
    assert AuditEntry.objects.get(action="budget.set_rule").actor_id == administrator.pk

    _action(client, "commissioning_budget", "advance_stage", [budget])
    messages = _action(client, "commissioning_budget", "advance_stage", [budget])
    assert "nothing to vote on" in messages
    budget.refresh_from_db()
    assert budget.stage == Budget.Stage.REVIEW


def test_the_admin_initiative_list_still_works(client, administrator, initiative):
    client.force_login(administrator)
    response = client.get(reverse("admin:initiatives_initiative_changelist"))
    assert response.status_code == 200
    assert Initiative.objects.count() == 1

"""The initiative page and the components' tabs come from the registry: a component the
initiative does not use shows nothing, except to those who may start using it."""

import pytest
from django.urls import reverse

from coproduce.initiatives.components import Component, components, register
from factories import RequestCategoryFactory, TaskFactory, TimebankFactory


def _tab_labels(page: str) -> list[str]:
    nav = page.split('class="subnav"', 1)[1].split("</nav>", 1)[0]
    return [part.split("</a>", 1)[0].rsplit(">", 1)[-1] for part in nav.split("<a ")[1:]]


def test_every_installed_component_registered_itself_in_the_order_of_the_stages():
    names = [component.name for component in components()]
    assert names == ["commissioning", "delivery", "timebank", "service_requests", "ledger"]


def test_registering_another_component_under_a_taken_name_is_refused():
    with pytest.raises(ValueError):
        register(Component(name="ledger", label="Another ledger", order=1))


@pytest.mark.django_db
def test_a_visitor_sees_only_the_components_the_initiative_uses(client, initiative):
    TaskFactory(initiative=initiative)
    page = client.get(reverse("delivery:tasks", args=[initiative.slug])).content.decode()
    labels = _tab_labels(page)
    assert "Tasks and shifts" in labels and "Contributions" in labels
    assert "Timebank" not in labels and "Service requests" not in labels
    detail = client.get(reverse("initiatives:detail", args=[initiative.slug])).content.decode()
    assert "panel-delivery-heading" in detail and "panel-ledger-heading" in detail
    assert "panel-timebank-heading" not in detail
    assert "panel-commissioning-heading" not in detail


@pytest.mark.django_db
def test_a_co_lead_sees_the_components_they_may_start(client, initiative, co_lead):
    client.force_login(co_lead)
    page = client.get(reverse("ledger:contributions", args=[initiative.slug])).content.decode()
    labels = _tab_labels(page)
    assert {"Co-delivery", "Tasks and shifts", "Timebank", "Service requests"} <= set(labels)
    detail = client.get(reverse("initiatives:detail", args=[initiative.slug])).content.decode()
    assert "Open a timebank" in detail and "Open a participatory budget" in detail


@pytest.mark.django_db
def test_once_used_a_component_shows_to_everyone(client, initiative):
    TimebankFactory(initiative=initiative)
    RequestCategoryFactory(initiative=initiative)
    page = client.get(reverse("timebank:timebank", args=[initiative.slug])).content.decode()
    labels = _tab_labels(page)
    assert "Timebank" in labels and "Service requests" in labels
    assert 'aria-current="page">Timebank' in page

"""Ids from outside are parsed by one helper: in a URL a number past 64 bits or written in other
digits is a 404; in a form it is a 400 naming the field, and nothing changes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.ids import MAX_ID, parse_id
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Contribution, ValuationRate

HUGE = str(2**64 + 5)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-1", None),
        ("²", None),
        ("١٢", None),
        ("1_000", None),
        ("1e3", None),
        ("", None),
        (None, None),
        ("9" * 40, None),
    ],
)
def test_parse_id_reads_ascii_ids_within_the_columns_range(text, number):
    assert parse_id(text) == number


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [str(2**63), HUGE, "0"])
def test_an_id_past_the_columns_range_in_a_url_is_a_404(client, co_lead, initiative, pk):
    client.force_login(co_lead)
    response = client.get(f"/initiatives/{initiative.slug}/contributions/{pk}/")
    assert response.status_code == 404


@pytest.fixture
def pending(initiative, citizen):
    return ledger.contribution_record(
        actor=citizen,
        initiative=initiative,
        person=citizen,
        kind="time",
        quantity=Decimal("2"),
        occurred_on=timezone.localdate() - dt.timedelta(days=1),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["²", HUGE, "-3", "1.5"])
def test_confirm_all_with_a_bad_id_is_a_400_naming_the_field(client, co_lead, pending, bad):
    client.force_login(co_lead)
    entries = AuditEntry.objects.count()
    url = reverse("ledger:contribution_confirm_all", args=[pending.initiative.slug])
    response = client.post(url, {"ids": [str(pending.pk), bad]})
    assert response.status_code == 400
    assert "“ids” must name an item by its number" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Contribution.Status.PENDING
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_removing_a_rate_with_a_bad_or_missing_id_is_a_400(client, co_lead, initiative):
    client.force_login(co_lead)
    ledger.valuation_rate_set(
        actor=co_lead, initiative=initiative, kind="time", work_type="", amount=Decimal("10")
    )
    url = reverse("ledger:rates", args=[initiative.slug])
    for data in ({"form": "delete", "rate": HUGE}, {"form": "delete"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "“rate”" in response.content.decode()
    assert ValuationRate.objects.count() == 1


@pytest.mark.django_db
def test_a_huge_requirement_id_in_a_task_form_is_a_form_error(client, co_lead, initiative):
    client.force_login(co_lead)
    url = reverse("delivery:task_create", args=[initiative.slug])
    data = {"title": "Visit", "description": "A visit", "status": "open", "requirements": [HUGE]}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_character_in_a_form_is_a_400_naming_the_field(client, co_lead, initiative):
    client.force_login(co_lead)
    url = reverse("initiatives:edit", args=[initiative.slug])
    response = client.post(url, {"title": "New\x00title"})
    assert response.status_code == 400
    assert "“title” contains a NUL character" in response.content.decode()
    initiative.refresh_from_db()
    assert "\x00" not in initiative.title


@pytest.mark.django_db
def test_a_nul_character_in_open311_is_its_400(client):
    response = client.get("/open311/v2/requests.json", {"status": "open\x00"})
    assert response.status_code == 400
    assert "NUL" in response.json()[0]["description"]


@pytest.mark.django_db
def test_a_form_too_large_is_refused_before_the_view_acts(client, co_lead, pending, settings):
    """The view confirms first and reads its form after: the form is read before any view."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(co_lead)
    url = reverse("ledger:contribution_confirm", args=[pending.initiative.slug, pending.pk])
    response = client.post(url, {"next": "x" * 2000})
    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == Contribution.Status.PENDING


def test_every_url_pattern_reads_its_ids_with_the_bounded_converter():
    """Django's ``<int:...>`` takes any number of digits; the site's ``<id:...>`` stops at the
    id columns' range, so a new pattern must use it."""
    from urlwalk import routes

    unbounded = [
        route.template
        for route in routes()
        if route.ours and any(param.converter == "int" for param in route.params)
    ]
    assert unbounded == []

"""The co-delivery pages: every page renders for everyone allowed, refuses the others, keeps what
was typed on a bad form (status 400), and works without JavaScript."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from coproduce.delivery import services as delivery_services
from coproduce.delivery.models import ShiftSignup, Task
from coproduce.ledger import services as ledger_services
from coproduce.ledger.models import Contribution
from coproduce.service_requests import services as service_requests_services
from coproduce.service_requests.models import ServiceRequest
from coproduce.timebank import services as timebank_services
from factories import ShiftFactory


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (1, 1)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(initiative, co_lead, citizen, professional, shift, past_shift):
    """A little of everything, so every page has something to show."""
    ledger_services.valuation_rate_set(
        actor=co_lead, initiative=initiative, kind="time", work_type="", amount=Decimal("15")
    )
    signup = delivery_services.shift_sign_up(
        person=citizen, shift=past_shift, now=past_shift.starts_at - dt.timedelta(days=1)
    )
    delivery_services.shift_hours_confirm(actor=professional, signup=signup, hours="2")
    entry = ledger_services.contribution_record(
        actor=citizen,
        initiative=initiative,
        person=citizen,
        kind="time",
        quantity="1.5",
        occurred_on=timezone.localdate(),
    )
    bank = timebank_services.timebank_open(actor=co_lead, initiative=initiative)
    listing = timebank_services.listing_create(
        person=citizen, timebank=bank, kind="offer", category="gardening", title="Pruning"
    )
    category = service_requests_services.request_category_create(
        actor=co_lead, initiative=initiative, code="bench", name="Bench to repair"
    )
    report = service_requests_services.service_request_create(
        category=category, reporter=citizen, address="Park Avenue", description="Broken slat"
    )
    requirement = delivery_services.requirement_create(
        actor=co_lead, initiative=initiative, name="Background check"
    )
    return {
        "signup": signup,
        "entry": entry,
        "listing": listing,
        "category": category,
        "report": report,
        "requirement": requirement,
        "account": listing.account,
    }


def urls(initiative, world, shift):
    slug = initiative.slug
    public = {
        "overview": reverse("delivery:overview", args=[slug]),
        "tasks": reverse("delivery:tasks", args=[slug]),
        "task": reverse("delivery:task", args=[slug, shift.task_id]),
        "shift": reverse("delivery:shift", args=[slug, shift.pk]),
        "map": reverse("delivery:map", args=[slug]),
        "contributions": reverse("ledger:contributions", args=[slug]),
        "timebank": reverse("timebank:timebank", args=[slug]),
        "listing": reverse("timebank:listing", args=[slug, world["listing"].pk]),
        "requests": reverse("service_requests:requests", args=[slug]),
        "request": reverse("service_requests:request", args=[slug, world["report"].pk]),
    }
    members = {
        "my_shifts": reverse("delivery:my_shifts"),
        "my_initiative_shifts": reverse("delivery:my_initiative_shifts", args=[slug]),
        "my_contributions": reverse("ledger:my_contributions", args=[slug]),
        "contribution_create": reverse("ledger:contribution_create", args=[slug]),
        "timebank_account": reverse("timebank:timebank_account", args=[slug]),
        "listing_create": reverse("timebank:listing_create", args=[slug]),
        "request_choose": reverse("service_requests:request_choose", args=[slug]),
        "request_create": reverse("service_requests:request_create", args=[slug, "bench"]),
    }
    co_leads = {
        "task_create": reverse("delivery:task_create", args=[slug]),
        "task_edit": reverse("delivery:task_edit", args=[slug, shift.task_id]),
        "shift_create": reverse("delivery:shift_create", args=[slug, shift.task_id]),
        "shift_edit": reverse("delivery:shift_edit", args=[slug, shift.pk]),
        "ledger": reverse("ledger:ledger", args=[slug]),
        "import": reverse("ledger:contribution_import", args=[slug]),
        "rates": reverse("ledger:rates", args=[slug]),
        "requirements": reverse("delivery:requirements", args=[slug]),
        "timebank_settings": reverse("timebank:timebank_settings", args=[slug]),
        "timebank_accounts": reverse("timebank:timebank_accounts", args=[slug]),
        "account_of": reverse("timebank:timebank_account_of", args=[slug, world["account"].pk]),
        "contribution": reverse("ledger:contribution", args=[slug, world["entry"].pk]),
        "dispute": reverse("ledger:contribution_dispute", args=[slug, world["entry"].pk]),
        "request_categories": reverse("service_requests:request_categories", args=[slug]),
    }
    return public, members, co_leads


@pytest.mark.django_db
def test_every_page_renders_for_those_allowed_and_refuses_the_others(
    client, initiative, world, shift, co_lead, outsider
):
    public, members, co_leads = urls(initiative, world, shift)
    for name, url in public.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert b'<main id="main"' in response.content
        assert b"<h1" in response.content, name
    for name, url in {**members, **co_leads}.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("account_login")), name
    client.force_login(outsider)
    for name, url in members.items():
        assert client.get(url).status_code == 200, name
    for name, url in co_leads.items():
        assert client.get(url).status_code == 403, name
    client.force_login(co_lead)
    for name, url in {**public, **members, **co_leads}.items():
        assert client.get(url).status_code == 200, name


@pytest.mark.django_db
def test_a_draft_initiatives_delivery_pages_are_hidden(client, initiative, outsider):
    initiative.status = "draft"
    initiative.save()
    client.force_login(outsider)
    assert client.get(reverse("delivery:overview", args=[initiative.slug])).status_code == 404
    assert client.get(reverse("delivery:tasks", args=["no-such"])).status_code == 404


@pytest.mark.django_db
def test_a_co_lead_publishes_a_task_and_a_shift_and_bad_input_is_kept(
    client, initiative, co_lead, professional
):
    client.force_login(co_lead)
    url = reverse("delivery:task_create", args=[initiative.slug])
    response = client.post(
        url, {"title": "Alley planting day", "description": "", "latitude": "50.6"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Alley planting day" in page and "This field is required" in page
    assert "both latitude and longitude" in page
    response = client.post(
        url,
        {
            "title": "Alley planting day",
            "description": "Plant the beds",
            "status": "open",
            "latitude": "50.63",
            "longitude": "3.08",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/tasks/{task.pk}/")
    shift_url = reverse("delivery:shift_create", args=[initiative.slug, task.pk])
    start = (timezone.localtime() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    bad = client.post(
        shift_url,
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.strftime("%Y-%m-%dT%H:%M"),
            "capacity": "4",
        },
    )
    assert bad.status_code == 400 and "must end after it starts" in bad.content.decode()
    response = client.post(
        shift_url,
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "4",
            "professional": professional.pk,
        },
    )
    assert response.status_code == 302
    assert task.shifts.get().professional == professional


@pytest.mark.django_db
def test_a_citizen_signs_up_and_cancels_through_the_pages(client, initiative, shift, outsider):
    client.force_login(outsider)
    url = reverse("delivery:shift_sign_up", args=[initiative.slug, shift.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "You have a place on this shift" in response.content.decode()
    signup = ShiftSignup.objects.get()
    mine = client.get(reverse("delivery:my_shifts")).content.decode()
    assert shift.task.title in mine and "/calendar/" in mine
    client.post(
        reverse("delivery:signup_cancel", args=[initiative.slug, signup.pk]), {"next": "my_shifts"}
    )
    assert ShiftSignup.objects.get().status == "cancelled"


@pytest.mark.django_db
def test_the_professional_confirms_hours_on_the_roster(
    client, initiative, past_shift, citizen, professional
):
    signup = delivery_services.shift_sign_up(
        person=citizen, shift=past_shift, now=past_shift.starts_at - dt.timedelta(hours=5)
    )
    client.force_login(professional)
    page = client.get(reverse("delivery:shift", args=[initiative.slug, past_shift.pk]))
    assert "Confirm hours" in page.content.decode()
    url = reverse("delivery:signup_hours", args=[initiative.slug, signup.pk])
    client.post(url, {"hours": "abc"})
    assert not Contribution.objects.exists()
    client.post(url, {"hours": "2.25"})
    entry = Contribution.objects.get()
    assert entry.quantity == Decimal("2.25") and entry.status == "confirmed"
    client.force_login(citizen)
    assert client.post(url, {"hours": "5"}).status_code == 403


@pytest.mark.django_db
def test_the_totals_page_has_an_accessible_svg_plot_and_its_table(client, initiative, world):
    page = client.get(reverse("ledger:contributions", args=[initiative.slug])).content.decode()
    svg = re.search(r"<svg[^>]*>", page).group(0)
    assert 'role="img"' in svg and "aria-labelledby" in svg
    assert "<title id=" in page and "<desc id=" in page
    assert "<caption>Hours and value contributed per month</caption>" in page
    assert 'scope="col"' in page and 'scope="row"' in page
    assert "Citizens" in page and "Professionals" in page and "Organisations" in page
    assert "<script" not in page  # no JavaScript on this page


@pytest.mark.django_db
def test_individual_entries_are_for_the_contributor_and_co_leads(
    client, initiative, world, citizen, outsider, co_lead
):
    url = reverse("ledger:contribution", args=[initiative.slug, world["entry"].pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(citizen)
    assert client.get(url).status_code == 200
    assert client.get(reverse("ledger:ledger", args=[initiative.slug])).status_code == 403
    client.force_login(co_lead)
    ledger = client.get(reverse("ledger:ledger", args=[initiative.slug])).content.decode()
    assert citizen.display_name in ledger
    client.post(reverse("ledger:contribution_confirm_all", args=[initiative.slug]))
    assert not Contribution.objects.filter(status="pending").exists()
    assert (
        client.get(reverse("ledger:ledger", args=[initiative.slug]), {"status": "x"}).status_code
        == 400
    )


@pytest.mark.django_db
def test_record_dispute_and_correct_through_the_pages(client, initiative, citizen, co_lead):
    client.force_login(citizen)
    url = reverse("ledger:contribution_create", args=[initiative.slug])
    bad = client.post(
        url,
        {
            "kind": "time",
            "quantity": "-2",
            "occurred_on": "2026-01-05",
            "capacity": "citizen",
            "description": "Kept text",
        },
    )
    assert bad.status_code == 400 and "Kept text" in bad.content.decode()
    client.post(
        url,
        {
            "kind": "time",
            "quantity": "2",
            "occurred_on": "2026-01-05",
            "capacity": "citizen",
            "description": "Stall",
        },
    )
    entry = Contribution.objects.get()
    client.force_login(co_lead)
    dispute = reverse("ledger:contribution_dispute", args=[initiative.slug, entry.pk])
    assert client.post(dispute, {"reason": ""}).status_code == 400
    client.post(dispute, {"reason": "Which stall?"})
    client.post(reverse("ledger:contribution_confirm", args=[initiative.slug, entry.pk]))
    correct = reverse("ledger:contribution_correct", args=[initiative.slug, entry.pk])
    assert client.post(correct, {"reason": "x"}).status_code == 400
    client.post(correct, {"reason": "Half an hour less", "quantity": "1.5"})
    assert sorted(Contribution.objects.values_list("quantity", flat=True)) == [
        Decimal("-2"),
        Decimal("1.5"),
        Decimal("2"),
    ]
    detail = client.get(reverse("ledger:contribution", args=[initiative.slug, entry.pk]))
    assert "Half an hour less" in detail.content.decode()


@pytest.mark.django_db
def test_the_import_page_names_every_bad_line(client, initiative, co_lead, citizen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(co_lead)
    url = reverse("ledger:contribution_import", args=[initiative.slug])
    content = (
        "email,date,kind,quantity\n"
        f"{citizen.email},2026-01-05,time,2\n"
        "ghost@example.org,2026-01-05,time,2\n"
    ).encode()
    response = client.post(url, {"file": SimpleUploadedFile("sheet.csv", content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "Line 3:" in page and "ghost@example.org" in page
    assert not Contribution.objects.exists()
    response = client.post(
        url, {"file": SimpleUploadedFile("sheet.csv", content), "skip_bad_rows": "on"}
    )
    assert response.status_code == 200 and Contribution.objects.count() == 1


@pytest.mark.django_db
def test_rates_and_currency_pages(client, initiative, co_lead):
    client.force_login(co_lead)
    url = reverse("ledger:rates", args=[initiative.slug])
    assert client.post(url, {"form": "currency", "currency-currency": "pounds"}).status_code == 400
    client.post(url, {"form": "currency", "currency-currency": "gbp"})
    client.post(
        url,
        {
            "form": "rate",
            "rate-kind": "time",
            "rate-work_type": "gardening",
            "rate-unit": "hour",
            "rate-amount": "18.50",
        },
    )
    page = client.get(url).content.decode()
    assert "gardening" in page and "GBP" in page
    rate = initiative.valuation_rates.get()
    client.post(url, {"form": "delete", "rate": rate.pk})
    assert not initiative.valuation_rates.exists()


@pytest.mark.django_db
def test_timebank_through_the_pages(client, initiative, co_lead, citizen, outsider):
    client.force_login(co_lead)
    settings_url = reverse("timebank:timebank_settings", args=[initiative.slug])
    assert client.post(settings_url, {"min_balance": "3", "max_balance": "10"}).status_code == 400
    client.post(settings_url, {"min_balance": "-5", "max_balance": "20", "is_active": "on"})
    client.force_login(citizen)
    client.post(
        reverse("timebank:listing_create", args=[initiative.slug]),
        {"kind": "offer", "category": "repairs", "title": "Bike repairs"},
    )
    listing = initiative.timebank.listings.get()
    client.force_login(outsider)
    listing_url = reverse("timebank:listing", args=[initiative.slug, listing.pk])
    assert client.post(listing_url, {"hours": "0"}).status_code == 400
    client.post(listing_url, {"hours": "2", "description": "Fix my bike"})
    exchange = initiative.timebank.exchanges.get()
    complete = reverse("timebank:exchange_complete", args=[initiative.slug, exchange.pk])
    client.force_login(citizen)  # the giver cannot complete
    assert client.post(complete).status_code == 403
    exchange.refresh_from_db()
    assert exchange.status == "proposed"
    client.force_login(outsider)
    client.post(complete)
    exchange.refresh_from_db()
    assert exchange.status == "completed"
    account = client.get(reverse("timebank:timebank_account", args=[initiative.slug]))
    assert "-2" in account.content.decode()
    client.force_login(co_lead)
    page = client.get(reverse("timebank:timebank_accounts", args=[initiative.slug]))
    assert "All is in order" in page.content.decode()


@pytest.mark.django_db
def test_report_a_problem_with_a_photo_then_pick_it_up_and_close_it(
    client, initiative, co_lead, citizen, outsider, professional
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    category = service_requests_services.request_category_create(
        actor=co_lead,
        initiative=initiative,
        code="fly-tipping",
        name="Fly-tipping",
        attributes=[
            {
                "code": "size",
                "description": "How big is it?",
                "datatype": "singlevaluelist",
                "required": True,
                "values": [{"key": "bags", "name": "A few bags"}],
            }
        ],
    )
    client.force_login(outsider)
    url = reverse("service_requests:request_create", args=[initiative.slug, category.code])
    bad = client.post(
        url,
        {
            "description": "Mattresses behind number 12",
            "photo": SimpleUploadedFile("x.png", b"not an image"),
        },
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Mattresses behind number 12" in page
    assert "address or a point" in page and "This field is required" in page
    response = client.post(
        url,
        {
            "description": "Mattresses behind number 12",
            "address": "12 Rue Pierre Legrand",
            "attribute[size]": "bags",
            "photo": SimpleUploadedFile("x.png", b"not an image"),
        },
    )
    assert response.status_code == 400 and "JPEG, PNG" in response.content.decode()
    response = client.post(
        url,
        {
            "description": "Mattresses behind number 12",
            "address": "12 Rue Pierre Legrand",
            "attribute[size]": "bags",
            "photo": SimpleUploadedFile("x.png", png(), content_type="image/png"),
        },
    )
    report = ServiceRequest.objects.get()
    assert response.status_code == 302 and report.attributes == {"size": "bags"}
    photo = client.get(reverse("service_requests:request_photo", args=[initiative.slug, report.pk]))
    # Stored again from its pixels (tests/test_uploads.py), served as what it is.
    assert photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")
    detail_url = reverse("service_requests:request", args=[initiative.slug, report.pk])
    pick_up = reverse("service_requests:request_pick_up", args=[initiative.slug, report.pk])
    # The reporter may comment, not change the status; the comment is not public.
    assert client.post(detail_url, {"status": "closed"}).status_code == 403
    client.post(detail_url, {"action": "comment", "note": "It is blocking the pavement"})
    assert "It is blocking the pavement" in client.get(detail_url).content.decode()
    # A citizen who merely takes part neither picks it up nor changes it.
    client.force_login(citizen)
    assert client.post(pick_up).status_code == 403
    assert client.post(detail_url, {"status": "closed"}).status_code == 403
    assert "It is blocking the pavement" not in client.get(detail_url).content.decode()
    client.force_login(professional)
    client.post(pick_up)
    report.refresh_from_db()
    assert report.assigned_to == professional and report.status == "in_progress"
    assert client.post(detail_url, {"status": "in_progress", "note": ""}).status_code == 400
    client.post(detail_url, {"status": "in_progress", "note": "Call the landlord first"})
    client.post(
        detail_url,
        {"status": "closed", "note": "Taken to the tip with the council", "public": "on"},
    )
    report.refresh_from_db()
    assert report.status == "closed" and report.closed_at is not None
    assert report.status_notes == "Taken to the tip with the council"
    client.logout()
    page = client.get(detail_url).content.decode()
    assert "Taken to the tip with the council" in page and "A few bags" in page
    assert "Call the landlord first" not in page and "blocking the pavement" not in page


@pytest.mark.django_db
def test_calendar_feeds(client, initiative, shift, citizen, outsider):
    from icalendar import Calendar

    waiting_shift = ShiftFactory(task=shift.task, capacity=1)
    delivery_services.shift_sign_up(person=outsider, shift=waiting_shift)
    delivery_services.shift_sign_up(person=citizen, shift=shift)
    delivery_services.shift_sign_up(person=citizen, shift=waiting_shift)
    feed = delivery_services.calendar_feed_for(person=citizen)
    response = client.get(reverse("delivery:person_calendar", args=[feed.token]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"shift-{shift.pk}@testserver", f"shift-{waiting_shift.pk}@testserver"}
    booked = events[f"shift-{shift.pk}@testserver"]
    assert str(booked["SUMMARY"]) == shift.task.title and str(booked["STATUS"]) == "CONFIRMED"
    assert booked.decoded("DTSTART") == shift.starts_at
    assert str(events[f"shift-{waiting_shift.pk}@testserver"]["STATUS"]) == "TENTATIVE"
    assert client.get(reverse("delivery:person_calendar", args=["nope"])).status_code == 404
    client.force_login(citizen)
    client.post(reverse("delivery:calendar_reset"))
    assert client.get(reverse("delivery:person_calendar", args=[feed.token])).status_code == 404
    public = client.get(reverse("delivery:initiative_calendar", args=[initiative.slug]))
    assert len(Calendar.from_ical(public.content).walk("VEVENT")) == 2
    assert citizen.display_name.encode() not in public.content


@pytest.mark.django_db
def test_the_map_is_a_list_without_javascript(client, initiative, co_lead):
    delivery_services.task_create(
        actor=co_lead,
        initiative=initiative,
        title="Alley planting day",
        description="Plant",
        address="Rue Pierre Legrand",
        latitude=Decimal("50.631"),
        longitude=Decimal("3.088"),
    )
    delivery_services.task_create(
        actor=co_lead, initiative=initiative, title="Phone rota", description="x"
    )
    page = client.get(reverse("delivery:map", args=[initiative.slug])).content.decode()
    assert '<div id="task-map" hidden' in page
    assert "Alley planting day" in page and "Phone rota" in page and "not on the map" in page
    assert '<script id="map-points" type="application/json">' in page
    assert '"lat": 50.631' in page

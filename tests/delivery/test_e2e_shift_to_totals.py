"""In a real browser: a citizen signs up for a shift, finds it in their calendar feed, the
shift's professional confirms their hours, and the initiative's contribution totals change."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coproduce.delivery.models import Shift
from coproduce.initiatives.models import Participation
from coproduce.ledger import services
from factories import (
    PASSWORD,
    InitiativeFactory,
    ParticipationFactory,
    PersonFactory,
    ShiftFactory,
    TaskFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(tab, person):
    tab.goto("/people/login/")
    tab.get_by_label("Email address").fill(person.email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()


def log_out(tab):
    tab.get_by_role("button", name="Log out").click()


def test_sign_up_calendar_hours_confirmed_totals_change(page):
    initiative = InitiativeFactory(title="Safe and Well visits", slug="safe-and-well")
    lead = ParticipationFactory(initiative=initiative, role=Participation.Role.CO_LEAD).person
    professional = PersonFactory(display_name="Sam Firefighter")
    ParticipationFactory(
        initiative=initiative, person=professional, role=Participation.Role.PROFESSIONAL
    )
    citizen = PersonFactory(display_name="Camille Martin")
    services.valuation_rate_set(
        actor=lead, initiative=initiative, kind="time", work_type="", amount=Decimal("20")
    )
    task = TaskFactory(initiative=initiative, title="Home safety visit")
    start = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    shift = ShiftFactory(
        task=task,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2, minutes=30),
        capacity=2,
        professional=professional,
    )

    # Before: nothing confirmed.
    page.goto(f"/initiatives/{initiative.slug}/contributions/")
    expect(page.get_by_text("No contribution is confirmed yet.")).to_be_visible()

    # The citizen finds the task and takes a place.
    log_in(page, citizen)
    page.goto(f"/initiatives/{initiative.slug}/delivery/")
    page.get_by_role("navigation", name=f"Sections of {initiative.title}").get_by_role(
        "link", name="Tasks and shifts"
    ).click()
    page.get_by_role("link", name="Home safety visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home safety visit")
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    expect(page.get_by_role("status").first).to_contain_text("You have a place on this shift")

    # It is in their calendar feed.
    page.get_by_role("navigation", name=f"Sections of {initiative.title}").get_by_role(
        "link", name="My shifts"
    ).click()
    expect(page.get_by_role("table")).to_contain_text("Home safety visit")
    feed_url = page.get_by_label("Your calendar address").input_value()
    feed = page.request.get(feed_url)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Home safety visit" in body
    assert f"UID:shift-{shift.pk}@" in body
    log_out(page)

    # The shift takes place (the clock moves on).
    past = timezone.now() - dt.timedelta(hours=3)
    Shift.objects.filter(pk=shift.pk).update(starts_at=past, ends_at=past + dt.timedelta(hours=2))

    # The shift's professional confirms the hours.
    log_in(page, professional)
    page.goto(f"/initiatives/{initiative.slug}/shifts/{shift.pk}/")
    roster = page.get_by_role("table")
    expect(roster).to_contain_text("Camille Martin")
    page.get_by_label("Hours of Camille Martin").fill("2.5")
    page.get_by_role("button", name="Confirm hours").click()
    expect(page.get_by_role("status").first).to_contain_text("hours confirmed for Camille Martin")

    # The totals changed: 2.5 hours by citizens, worth 50 at 20 an hour.
    page.get_by_role("navigation", name=f"Sections of {initiative.title}").get_by_role(
        "link", name="Contributions"
    ).click()
    totals = page.get_by_role("definition").first
    expect(totals).to_contain_text("2.5 hours; 50 EUR")
    expect(page.get_by_role("img", name=re.compile("Hours contributed per month"))).to_be_visible()
    month_table = page.get_by_role("table", name="Hours and value contributed per month")
    expect(month_table).to_contain_text("2.5")
    expect(month_table).to_contain_text("50")

"""The pages' scripts work under the site's Content-Security-Policy: the map draws its markers and
opens a popup; the page fixture fails the test on any violation the browser reports."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from factories import InitiativeFactory, TaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_map_of_tasks_draws_its_markers_under_the_policy(page):
    initiative = InitiativeFactory(title="Green alleys of Fives")
    TaskFactory(
        initiative=initiative,
        title="Plant the alley",
        latitude=Decimal("50.637"),
        longitude=Decimal("3.084"),
    )
    response = page.goto(f"/initiatives/{initiative.slug}/map/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("region", name="Map of the open tasks")).to_be_visible()
    marker = page.locator(".leaflet-marker-icon")
    expect(marker).to_have_count(1)
    marker.click()
    expect(
        page.locator(".leaflet-popup").get_by_role("link", name="Plant the alley")
    ).to_be_visible()
    expect(page.locator(".leaflet-popup")).to_have_text(re.compile("Plant the alley"))

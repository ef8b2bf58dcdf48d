import re

import pytest
from playwright.sync_api import expect

from factories import InitiativeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_join_an_initiative_and_find_it_under_my_initiatives(page):
    initiative = InitiativeFactory(title="Green alleys of Fives", area="Fives")

    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Your name").fill("Camille Martin")
    page.get_by_label("Email address").fill("camille@example.org")
    page.get_by_label(re.compile(r"^Password \(")).fill("too-short")
    page.get_by_label("Password again").fill("too-short")
    page.get_by_role("button", name="Sign up").click()
    # A clear error, and what was typed is still there.
    expect(page.get_by_role("alert").first).to_contain_text("too short")
    expect(page.get_by_label("Your name")).to_have_value("Camille Martin")

    page.get_by_label(re.compile(r"^Password \(")).fill("green-alleys-2026")
    page.get_by_label("Password again").fill("green-alleys-2026")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome, Camille Martin")

    page.get_by_role("link", name=initiative.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(initiative.title)
    page.get_by_role("button", name="Join as a citizen").click()
    expect(page.get_by_text("You take part as: Citizen")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My initiatives").click()
    expect(page).to_have_url(re.compile(r"/initiatives/mine/$"))
    expect(page.get_by_role("table")).to_contain_text(initiative.title)
    expect(page.get_by_role("table")).to_contain_text("Citizen")


def test_keyboard_users_can_skip_to_the_content_and_switch_language(page):
    InitiativeFactory(title="Safe and Well visits")
    page.goto("/initiatives/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Initiatives")
    expect(page.get_by_role("button", name="Filtrer")).to_be_visible()

"""Every HTML page forbids scripts and styles from anywhere but the site's own files, so a piece
of text that slipped past escaping still cannot run. The browser tests (tests/e2e) fail on any
violation the pages themselves cause (see the ``page`` fixture)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import coproduce
from coproduce.commissioning import services as budget_services
from coproduce.commissioning.models import Budget
from factories import RequestCategoryFactory, ShiftFactory, TaskFactory

CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the URLconf, with its converters still in place."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "(?P" not in route:
            found.append(route)
    return found


def fill(route: str, values: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        return values.get(match["name"], "1" if match["kind"] in ("int", "path") else "x")

    return "/" + CONVERTER.sub(value, route)


@pytest.fixture
def world(initiative, co_lead):
    task = TaskFactory(initiative=initiative)
    shift = ShiftFactory(task=task)
    category = RequestCategoryFactory(initiative=initiative)
    budget = budget_services.budget_create(
        actor=co_lead,
        initiative=initiative,
        title="Riverside budget",
        slug="riverside",
        areas=[("Riverside", Decimal("100"))],
        eligibility=Budget.Eligibility.ANYONE,
        stage=Budget.Stage.PROPOSALS,
    )
    return {
        "initiative_slug": initiative.slug,
        "slug": initiative.slug,
        "code": category.code,
        "pk": str(task.pk),
        "shift_pk": str(shift.pk),
        "budget": budget.slug,
    }


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_every_html_page_sends_a_policy_that_runs_only_the_sites_own_files(client, world, co_lead):
    client.force_login(co_lead)
    pages = 0
    for route in routes():
        url = fill(route, world)
        if "/budgets/" in route and "<slug:slug>" in route:
            url = fill(route, {**world, "slug": world["budget"]})
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += response.status_code == 200
        policy = policy_of(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    # Enough of the site answered with a real page for the walk to mean something.
    assert pages >= 30


@pytest.mark.django_db
def test_error_pages_carry_the_policy_too(client):
    response = client.get("/initiatives/no-such-initiative/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_no_template_has_an_inline_script_style_or_event_handler():
    """What the policy would block in a browser is refused here first, by file."""
    inline = re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>"
        r"|\sstyle=\"|<style[\s>]|\son[a-z]+=\"|javascript:",
        re.IGNORECASE,
    )
    package = Path(coproduce.__file__).parent
    offenders = [
        f"{path.relative_to(package)}: {match.group(0).strip()}"
        for path in package.rglob("templates/**/*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

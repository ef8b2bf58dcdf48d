"""A whole participatory budget in a real browser: propose, review, vote, close, see results."""

import re

import pytest
from playwright.sync_api import expect

from coproduce.commissioning import services
from coproduce.commissioning.models import Budget
from coproduce.initiatives.models import Participation
from factories import (
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, person, password):
    page.context.clear_cookies()
    page.goto("/people/login/")
    page.get_by_label(re.compile(r"^Email address")).fill(person.email)
    page.get_by_label(re.compile(r"^Password")).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_propose_review_vote_close_and_see_results(page, initiative, co_lead, password):
    from decimal import Decimal

    professional = PersonFactory(display_name="Pat Planner")
    MembershipFactory(
        person=professional, organisation=OrganisationFactory(sectors=["public"]), role="staff"
    )
    ParticipationFactory(
        person=professional, initiative=initiative, role=Participation.Role.PROFESSIONAL
    )
    residents = [PersonFactory(display_name=f"Resident {i}") for i in range(3)]
    services.budget_create(
        actor=co_lead,
        initiative=initiative,
        title="Riverside budget",
        slug="riverside",
        areas=[("Riverside", Decimal("100"))],
        eligibility=Budget.Eligibility.ANYONE,
        stage=Budget.Stage.PROPOSALS,
    )

    # A resident proposes two projects through the page.
    log_in(page, residents[0], password)
    for title, cost in [("Benches by the river", "60"), ("Fruit trees", "50"), ("Mural", "40")]:
        page.goto(f"/initiatives/{initiative.slug}/budgets/riverside/")
        page.get_by_role("link", name="Propose a project").click()
        page.get_by_label(re.compile(r"^Title")).fill(title)
        page.get_by_label(re.compile(r"^Description")).fill(f"{title} for everyone.")
        page.get_by_label(re.compile(r"^Estimated cost")).fill(cost)
        page.get_by_role("button", name="Submit the proposal").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)

    # A professional reviews them, each with a public reason.
    log_in(page, professional, password)
    for code in ("1", "2", "3"):
        page.goto(f"/initiatives/{initiative.slug}/budgets/riverside/projects/{code}/")
        page.get_by_label("Yes: it goes on the ballot").check()
        page.get_by_label(re.compile(r"^Public reason")).fill("Checked with the parks team.")
        page.get_by_role("button", name="Record the review").click()
        expect(page.get_by_text("Checked with the parks team.")).to_be_visible()

    # The co-lead opens the vote.
    log_in(page, co_lead, password)
    page.goto(f"/initiatives/{initiative.slug}/budgets/riverside/")
    page.get_by_role("button", name="Move to: Feasibility review").click()
    page.get_by_role("button", name="Move to: Voting open").click()
    expect(page.get_by_role("listitem").filter(has_text="Voting open")).to_have_attribute(
        "aria-current", "step"
    )

    # Residents vote; the remaining budget updates as they tick.
    ballots = [["1"], ["1", "3"], ["2", "3"]]
    for resident, codes in zip(residents, ballots, strict=True):
        log_in(page, resident, password)
        page.goto(f"/initiatives/{initiative.slug}/budgets/riverside/vote/")
        for code in codes:
            page.locator(f"#project-{code}").check()
        remaining = 100 - sum({"1": 60, "2": 50, "3": 40}[c] for c in codes)
        expect(page.locator(".remaining-value")).to_have_text(str(remaining))
        page.get_by_role("button", name="Cast my ballot").click()
        expect(page.get_by_role("status").first).to_contain_text("receipt code")

    # The co-lead closes the vote, computes and publishes the result.
    log_in(page, co_lead, password)
    page.goto(f"/initiatives/{initiative.slug}/budgets/riverside/")
    page.get_by_role("button", name="Move to: Voting closed").click()
    page.get_by_role("button", name="Compute the result").click()
    page.get_by_role("button", name="Publish the result").click()
    page.get_by_role("link", name="Results").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    table = page.get_by_role("table", name=re.compile("Projects, their cost"))
    expect(table).to_contain_text("Funded")
    expect(page.get_by_role("img", name="Cost and support of each project")).to_be_visible()
    expect(page.get_by_text("each had")).to_be_visible()

from decimal import Decimal

import pytest
from django.urls import reverse

from coproduce.commissioning.models import Ballot, Budget
from factories import code_of


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "citizen", "co_lead"])
def test_budget_pages_render_for_everyone(client, request, voting_budget, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    slug = (voting_budget.initiative.slug, voting_budget.slug)
    code = code_of(voting_budget, "Benches")
    for url in (
        reverse("commissioning:list"),
        reverse("commissioning:detail", args=slug),
        reverse("commissioning:proposal", args=[*slug, code]),
        reverse("commissioning:receipt", args=slug),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    vote = client.get(reverse("commissioning:vote", args=slug))
    assert vote.status_code == (302 if who == "anonymous" else 200)


@pytest.mark.django_db
def test_the_ballot_works_without_javascript(client, voting_budget, citizen):
    client.force_login(citizen)
    url = reverse("commissioning:vote", args=[voting_budget.initiative.slug, voting_budget.slug])
    page = client.get(url).content.decode()
    assert 'type="checkbox"' in page and "Remaining" in page
    benches, trees, playground = (
        code_of(voting_budget, t) for t in ("Benches", "Trees", "Playground")
    )

    response = client.post(url, {"project": [benches, trees, playground]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "more than the 100,000.00 available" in page
    assert page.count("checked") == 3  # what the voter ticked is kept
    assert not Ballot.objects.exists()

    response = client.post(url, {"project": [benches, trees]})
    assert response.status_code == 302
    ballot = Ballot.objects.get(voter=citizen)
    detail = client.get(
        reverse("commissioning:detail", args=[voting_budget.initiative.slug, voting_budget.slug])
    )
    assert ballot.receipt in detail.content.decode()
    receipt = client.get(
        reverse("commissioning:receipt", args=[voting_budget.initiative.slug, voting_budget.slug]),
        {"code": ballot.receipt.lower()},
    )
    assert "is counted" in receipt.content.decode()


@pytest.mark.django_db
def test_co_leads_open_a_budget_through_the_form(client, initiative, co_lead, citizen):
    url = reverse("commissioning:create", args=[initiative.slug])
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.force_login(co_lead)
    data = {
        "title": "Youth budget",
        "slug": "youth-budget",
        "description": "",
        "currency": "GBP",
        "ballot_type": "approval",
        "min_projects": 0,
        "max_projects": "",
        "max_points": "",
        "rule": "mes",
        "utility": "cost",
        "completion": "add1-greedy",
        "eligibility": "anyone",
        "minimum_age": "",
        "areas-TOTAL_FORMS": 3,
        "areas-INITIAL_FORMS": 0,
        "areas-0-name": "Whole town",
        "areas-0-amount": "25000",
        "areas-1-name": "North",
        "areas-1-amount": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "both the area" in response.content.decode()
    data["areas-1-name"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    budget = Budget.objects.get(slug="youth-budget")
    assert [(a.name, a.amount) for a in budget.areas.all()] == [("Whole town", Decimal("25000"))]


@pytest.mark.django_db
def test_only_professionals_review(client, budget, citizen, professional):
    client.force_login(citizen)
    response = client.post(
        reverse("commissioning:propose", args=[budget.initiative.slug, budget.slug]),
        {
            "area": budget.areas.get(name="Riverside").pk,
            "title": "Water fountain",
            "description": "By the river path.",
            "location": "River path",
            "estimated_cost": "8000",
        },
    )
    assert response.status_code == 302
    proposal = budget.proposals.get()
    url = reverse(
        "commissioning:proposal", args=[budget.initiative.slug, budget.slug, proposal.code]
    )
    review = {"form": "review", "feasible": "yes", "cost": "9000", "reason": "Needs a drain."}
    assert client.post(url, review).status_code == 403
    client.force_login(professional)
    assert client.post(url, review).status_code == 302
    page = client.get(url).content.decode()
    assert "Needs a drain." in page and "Pat Planner" in page


@pytest.mark.django_db
def test_unknown_budget_and_project_are_404(client, budget):
    base = f"/initiatives/{budget.initiative.slug}/budgets"
    assert client.get(f"{base}/nope/").status_code == 404
    assert client.get(f"{base}/{budget.slug}/projects/999/").status_code == 404
    assert client.get(f"/initiatives/elsewhere/budgets/{budget.slug}/").status_code == 404


@pytest.mark.django_db
def test_a_budget_address_of_the_first_layout_redirects_under_its_initiative(client, budget):
    base = f"/initiatives/{budget.initiative.slug}/budgets/{budget.slug}"
    response = client.get(f"/budgets/{budget.slug}/projects/P1/?x=1")
    assert response.status_code == 301
    assert response["Location"] == f"{base}/projects/P1/?x=1"
    assert client.get(f"/budgets/{budget.slug}/")["Location"] == f"{base}/"
    assert client.post(f"/budgets/{budget.slug}/vote/").status_code == 308
    slug = budget.initiative.slug
    assert client.get(f"/budgets/new/{slug}/")["Location"] == f"/initiatives/{slug}/budgets/new/"
    imported = client.get(f"/budgets/import/{slug}/")["Location"]
    assert imported == f"/initiatives/{slug}/budgets/import/"
    assert client.get("/budgets/nope/").status_code == 404


@pytest.mark.django_db
def test_paper_ballot_page_is_for_officials(client, voting_budget, citizen, professional):
    url = reverse("commissioning:paper", args=[voting_budget.initiative.slug, voting_budget.slug])
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.force_login(professional)
    response = client.post(
        url, {"project": [code_of(voting_budget, "Lights")], "voter_area": "Riverside"}
    )
    assert response.status_code == 302
    assert Ballot.objects.get().counted is False


@pytest.mark.django_db
def test_a_proposal_must_cost_something(client, budget, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("commissioning:propose", args=[budget.initiative.slug, budget.slug]),
        {
            "area": budget.areas.get(name="Riverside").pk,
            "title": "Free idea",
            "description": "Costs nothing.",
            "estimated_cost": "0",
        },
    )
    assert response.status_code == 400
    assert "Free idea" in response.content.decode()
    assert not budget.proposals.exists()

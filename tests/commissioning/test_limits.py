"""One range per number of a budget: the form, the service and the database refuse the same
values the importer refuses (``commissioning.limits``)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse

from coproduce.commissioning import services
from coproduce.commissioning.limits import MAX_MONEY, MAX_POINTS
from coproduce.commissioning.models import BallotChoice, Budget, BudgetArea, Proposal
from factories import add_project

TOO_MUCH = MAX_MONEY + Decimal("0.01")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_points", "10001"),
        ("max_projects", "0"),
        ("min_projects", "99999999999"),
        ("areas-0-amount", "1000000000000"),
        ("areas-0-amount", "NaN"),
    ],
)
def test_the_budget_form_refuses_numbers_out_of_range(client, initiative, co_lead, field, value):
    client.force_login(co_lead)
    data = {
        "title": "Youth budget",
        "slug": "youth",
        "currency": "EUR",
        "ballot_type": "cumulative",
        "min_projects": 0,
        "max_points": "10",
        "rule": "mes",
        "utility": "cost",
        "completion": "add1-greedy",
        "eligibility": "anyone",
        "areas-TOTAL_FORMS": 1,
        "areas-INITIAL_FORMS": 0,
        "areas-0-name": "Whole town",
        "areas-0-amount": "25000",
        field: value,
    }
    response = client.post(reverse("commissioning:create", args=[initiative.slug]), data)
    assert response.status_code == 400
    assert not Budget.objects.exists()


@pytest.mark.django_db
def test_services_refuse_costs_beyond_the_largest_amount(budget, citizen, professional):
    with pytest.raises(ValidationError):
        add_project(budget, citizen, "Riverside", "Monorail", TOO_MUCH)
    proposal = add_project(budget, citizen, "Riverside", "Benches", MAX_MONEY)
    for cost in (TOO_MUCH, Decimal("0.001"), Decimal(0)):
        with pytest.raises(ValidationError, match="reviewed cost"):
            services.proposal_review(
                actor=professional, proposal=proposal, feasible=True, cost=cost, reason="Checked."
            )
    assert not proposal.reviews.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Budget, "max_points", MAX_POINTS + 1),
        (Budget, "max_projects", 0),
        (BudgetArea, "amount", TOO_MUCH),
        (Proposal, "reviewed_cost", TOO_MUCH),
        (Proposal, "reviewed_cost", Decimal(0)),
        (BallotChoice, "points", MAX_POINTS + 1),
    ],
)
def test_the_database_refuses_what_the_validators_refuse(voting_budget, model, field, value):
    ballot = voting_budget.ballots.create(
        channel="import",
        cast_at="2026-01-01T00:00Z",
        cast_on="2026-01-01",
        updated_at="2026-01-01T00:00Z",
    )
    BallotChoice.objects.create(ballot=ballot, proposal=voting_budget.proposals.first())
    # PostgreSQL's numeric(14, 2) refuses a too large amount itself; SQLite needs the CHECK.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        model.objects.update(**{field: value})

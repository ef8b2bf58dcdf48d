from decimal import Decimal

import pytest

from coproduce.commissioning import services
from coproduce.commissioning.models import Budget
from coproduce.initiatives.models import Participation
from factories import (
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    add_project,
)


@pytest.fixture
def budget(initiative, co_lead):
    """A budget in its proposals stage with two area headings."""
    return services.budget_create(
        actor=co_lead,
        initiative=initiative,
        title="Riverside budget 2026",
        slug="riverside-2026",
        areas=[("Riverside", Decimal("100000")), ("Northside", Decimal("50000"))],
        stage=Budget.Stage.PROPOSALS,
        eligibility=Budget.Eligibility.ANYONE,
    )


@pytest.fixture
def professional(initiative):
    person = PersonFactory(display_name="Pat Planner")
    council = OrganisationFactory(name="City Council", sectors=["public"])
    MembershipFactory(person=person, organisation=council, role="staff")
    ParticipationFactory(person=person, initiative=initiative, role=Participation.Role.PROFESSIONAL)
    return person


@pytest.fixture
def second_official(initiative):
    person = PersonFactory(display_name="Sam Second")
    council = OrganisationFactory(name="District office", sectors=["public"])
    MembershipFactory(person=person, organisation=council, role="staff")
    ParticipationFactory(person=person, initiative=initiative, role=Participation.Role.PROFESSIONAL)
    return person


@pytest.fixture
def voting_budget(budget, citizen, professional, co_lead):
    """Four feasible projects in Riverside, one in Northside, one infeasible; voting open."""
    for title, cost in [
        ("Benches", 30000),
        ("Trees", 50000),
        ("Playground", 70000),
        ("Lights", 20000),
    ]:
        add_project(budget, citizen, "Riverside", title, cost)
    add_project(budget, citizen, "Northside", "Allotment", 40000)
    add_project(budget, citizen, "Riverside", "Monorail", 90000000)
    for proposal in budget.proposals.all():
        services.proposal_review(
            actor=professional,
            proposal=proposal,
            feasible=proposal.title != "Monorail",
            cost=proposal.estimated_cost,
            reason="Checked with the parks team.",
        )
    services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.REVIEW)
    services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.VOTING)
    budget.refresh_from_db()
    return budget


def code_of(budget, title: str) -> str:
    return budget.proposals.get(title=title).code

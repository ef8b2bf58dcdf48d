import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from coproduce.audit.models import AuditEntry
from coproduce.commissioning import services
from coproduce.commissioning.models import Ballot, Budget, Proposal
from coproduce.commissioning.services import Choices
from factories import PersonFactory, add_project, code_of


@pytest.mark.django_db
def test_a_budget_announces_its_rule_and_has_area_headings(budget):
    assert budget.rule == "mes" and budget.completion == "add1-greedy"
    assert budget.total_amount == Decimal("150000")
    entry = AuditEntry.objects.get(action="budget.create")
    assert '"rule":"mes"' in entry.payload


@pytest.mark.django_db
def test_a_budget_needs_areas_and_a_points_allowance_for_cumulative(initiative, co_lead):
    with pytest.raises(ValidationError):
        services.budget_create(actor=co_lead, initiative=initiative, title="x", slug="x", areas=[])
    with pytest.raises(ValidationError):
        services.budget_create(
            actor=co_lead,
            initiative=initiative,
            title="x",
            slug="x",
            areas=[("A", Decimal(10))],
            ballot_type="cumulative",
        )
    with pytest.raises(ValidationError, match="cumulative"):
        services.budget_create(
            actor=co_lead,
            initiative=initiative,
            title="x",
            slug="x",
            areas=[("A", Decimal(10))],
            ballot_type="ranking",
            utility="points",
        )
    assert not Budget.objects.exists()


@pytest.mark.django_db
def test_review_records_a_public_reason_and_sets_the_cost(budget, citizen, professional):
    proposal = add_project(budget, citizen, "Riverside", "Benches", 30000)
    assert proposal.code == "1" and proposal.status == Proposal.Status.SUBMITTED
    with pytest.raises(ValidationError):
        services.proposal_review(
            actor=professional, proposal=proposal, feasible=True, cost=Decimal(1), reason="  "
        )
    services.proposal_review(
        actor=professional,
        proposal=proposal,
        feasible=True,
        cost=Decimal("32500"),
        reason="Includes installation.",
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.FEASIBLE
    assert proposal.cost == Decimal("32500")


@pytest.mark.django_db
def test_voting_cannot_open_while_proposals_wait_for_review(budget, citizen, co_lead):
    add_project(budget, citizen, "Riverside", "Benches", 30000)
    services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.REVIEW)
    with pytest.raises(ValidationError):
        services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.VOTING)
    with pytest.raises(ValidationError):
        services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.PUBLISHED)


@pytest.mark.django_db
def test_a_ballot_is_cast_changed_and_stays_one(voting_budget, citizen):
    benches, trees = code_of(voting_budget, "Benches"), code_of(voting_budget, "Trees")
    first = services.ballot_cast(
        voter=citizen, budget=voting_budget, choices=Choices(approvals=frozenset({benches}))
    )
    second = services.ballot_cast(
        voter=citizen, budget=voting_budget, choices=Choices(approvals=frozenset({trees}))
    )
    assert first.pk == second.pk and first.receipt == second.receipt
    assert [c.proposal.code for c in second.choices.all()] == [trees]
    assert Ballot.objects.count() == 1


@pytest.mark.django_db
def test_bad_ballots_change_nothing(voting_budget, citizen):
    codes = [code_of(voting_budget, t) for t in ("Benches", "Trees", "Playground")]
    with pytest.raises(ValidationError, match="more than"):
        services.ballot_cast(
            voter=citizen, budget=voting_budget, choices=Choices(approvals=frozenset(codes))
        )
    monorail = code_of(voting_budget, "Monorail")
    with pytest.raises(ValidationError, match="not on the ballot"):
        services.ballot_cast(
            voter=citizen, budget=voting_budget, choices=Choices(approvals=frozenset({monorail}))
        )
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_eligibility_residents_census_and_age(voting_budget, citizen, outsider, co_lead):
    benches = Choices(approvals=frozenset({code_of(voting_budget, "Benches")}))
    voting_budget.eligibility = Budget.Eligibility.RESIDENTS
    voting_budget.save()
    with pytest.raises(PermissionDenied, match="residents"):
        services.ballot_cast(voter=outsider, budget=voting_budget, choices=benches)
    outsider.area = "northside"
    outsider.save()
    services.ballot_cast(voter=outsider, budget=voting_budget, choices=benches)

    voting_budget.eligibility = Budget.Eligibility.CENSUS
    voting_budget.minimum_age = 16
    voting_budget.save()
    services.census_upload(
        actor=co_lead, budget=voting_budget, data=f"email\n{citizen.email.upper()}\n".encode()
    )
    with pytest.raises(PermissionDenied):
        services.ballot_cast(voter=outsider, budget=voting_budget, choices=benches)
    with pytest.raises(ValidationError, match="16"):
        services.ballot_cast(voter=citizen, budget=voting_budget, choices=benches)
    services.ballot_cast(voter=citizen, budget=voting_budget, choices=benches, age_confirmed=True)

    unconfirmed = PersonFactory(email_confirmed=False)
    voting_budget.eligibility = Budget.Eligibility.ANYONE
    voting_budget.save()
    with pytest.raises(PermissionDenied, match="Confirm"):
        services.ballot_cast(voter=unconfirmed, budget=voting_budget, choices=benches)


@pytest.mark.django_db
def test_census_upload_names_every_bad_line_and_imports_nothing(budget, co_lead):
    data = b"email,area\na@example.org,North\nnot-an-email,North\na@example.org,South\n"
    with pytest.raises(ValidationError) as error:
        services.census_upload(actor=co_lead, budget=budget, data=data)
    assert error.value.messages == [
        "Line 3: \u201cnot-an-email\u201d is not an email address.",
        "Line 4: a@example.org is already on line 2.",
    ]
    assert not budget.census.exists()
    with pytest.raises(ValidationError, match="email"):
        services.census_upload(actor=co_lead, budget=budget, data=b"name\nBob\n")


@pytest.mark.django_db
def test_paper_ballots_need_a_second_official(voting_budget, professional, second_official):
    choices = Choices(approvals=frozenset({code_of(voting_budget, "Lights")}))
    ballot = services.paper_ballot_enter(
        official=professional, budget=voting_budget, choices=choices, voter_area="Riverside"
    )
    assert not ballot.counted
    with pytest.raises(PermissionDenied):
        services.paper_ballot_confirm(official=professional, ballot=ballot)
    services.paper_ballot_confirm(official=second_official, ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.counted and ballot.channel == "paper"
    with pytest.raises(ValidationError):
        services.paper_ballot_confirm(official=second_official, ballot=ballot)


@pytest.mark.django_db
def test_closing_the_vote_is_an_audited_decision(voting_budget, citizen, co_lead):
    services.ballot_cast(
        voter=citizen,
        budget=voting_budget,
        choices=Choices(approvals=frozenset({code_of(voting_budget, "Benches")})),
    )
    services.budget_advance(actor=co_lead, budget=voting_budget, to_stage=Budget.Stage.CLOSED)
    entry = AuditEntry.objects.get(action="budget.close_vote")
    assert entry.actor_id == co_lead.pk
    assert '"ballots_counted":1' in entry.payload
    with pytest.raises(ValidationError):
        services.ballot_cast(
            voter=citizen,
            budget=voting_budget,
            choices=Choices(approvals=frozenset({code_of(voting_budget, "Trees")})),
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_ballots_of_one_person_end_as_one_ballot_on_postgresql(
    postgres_only, voting_budget, citizen
):
    codes = [code_of(voting_budget, t) for t in ("Benches", "Trees", "Lights")]
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def vote(code: str) -> None:
        try:
            barrier.wait()
            services.ballot_cast(
                voter=citizen, budget=voting_budget, choices=Choices(approvals=frozenset({code}))
            )
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(codes[i % 3],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ballots = Ballot.objects.filter(budget=voting_budget, voter=citizen)
    assert ballots.count() == 1
    assert ballots.get().choices.count() == 1


@pytest.mark.django_db
def test_the_rule_changes_until_voting_opens_and_only_by_a_co_lead(voting_budget, co_lead, citizen):
    with pytest.raises(ValidationError, match="fixed once voting opens"):
        services.budget_set_rule(actor=co_lead, budget=voting_budget, rule="greedy")
    draft = services.budget_create(
        actor=co_lead,
        initiative=voting_budget.initiative,
        title="Next year",
        slug="next-year",
        areas=[("Riverside", 1000)],
    )
    with pytest.raises(PermissionDenied):
        services.budget_set_rule(actor=citizen, budget=draft, rule="greedy")
    services.budget_set_rule(actor=co_lead, budget=draft, rule="greedy")
    assert Budget.objects.get(pk=draft.pk).rule == "greedy"


@pytest.mark.django_db
def test_advancing_a_budget_needs_a_co_lead(budget, citizen):
    with pytest.raises(PermissionDenied):
        services.budget_advance(actor=citizen, budget=budget, to_stage="review")

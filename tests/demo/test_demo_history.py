"""The demo's year of co-delivery: plausible, consistent and loaded through the services."""

import random

import pytest
from django.db import transaction

from coproduce.audit.selectors import audit_verify
from coproduce.delivery.models import Shift, ShiftSignup
from coproduce.demo.delivery_history import load_delivery_history
from coproduce.initiatives.models import Participation
from coproduce.ledger import selectors as ledger_selectors
from coproduce.ledger.models import Contribution
from coproduce.timebank import selectors as timebank_selectors
from factories import (
    InitiativeFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    ServiceFactory,
)


def populate(initiative, citizens=8):
    fire = OrganisationFactory(name="Fire and Rescue Service", sectors=["public"])
    charity = OrganisationFactory(name="Age Friendly Fives", sectors=["third"])
    ParticipationFactory(initiative=initiative, role="co_lead", organisation=fire)
    ParticipationFactory(initiative=initiative, role="professional", organisation=fire)
    ParticipationFactory(initiative=initiative, role="partner", organisation=charity)
    for _ in range(citizens):
        ParticipationFactory(initiative=initiative, role=Participation.Role.CITIZEN)


@pytest.fixture
def demo(db):
    fire = InitiativeFactory(
        slug="safe-and-well",
        area="Fives, Lille",
        service=ServiceFactory(sector="fire_rescue"),
        phases={"deliver": "open"},
    )
    alleys = InitiativeFactory(
        slug="green-alleys", area="Fives", service=ServiceFactory(sector="public_space")
    )
    done = InitiativeFactory(
        slug="ruelles-vertes",
        status="completed",
        area="Lyon, Croix-Rousse",
        service=ServiceFactory(sector="public_space"),
    )
    draft = InitiativeFactory(slug="draft", status="draft")
    lonely = InitiativeFactory(slug="lonely")  # no co-lead: nothing to load
    populate(fire)
    populate(alleys, citizens=4)
    populate(done)
    PersonFactory.create_batch(10)  # residents who may join the alleys to fill its shifts
    return {"fire": fire, "alleys": alleys, "done": done, "draft": draft, "lonely": lonely}


@pytest.mark.django_db
def test_a_year_of_history_for_each_active_initiative(demo):
    result = load_delivery_history(rng=random.Random(7), initiatives=demo)
    assert result["initiatives"] == 3
    assert sorted(result["skipped"]) == ["draft", "lonely"]
    assert result["tasks"] == 6 and result["shifts"] > 60
    assert result["signups"] > 60 and result["contributions"] > 100
    assert result["exchanges"] > 10 and result["service_requests"] > 10
    for initiative in (demo["fire"], demo["alleys"]):
        totals = ledger_selectors.contribution_totals(initiative)
        assert len(totals.by_month) >= 12
        assert all(hours > 0 for _label, hours, _value in totals.capacity_totals())
        assert totals.currency == "EUR"
        assert initiative.tasks.filter(latitude__isnull=False).count() == 3
    assert timebank_selectors.timebank_check(demo["alleys"].timebank).ok
    # A completed initiative keeps its ledger, but takes no new tasks or reports.
    done = demo["done"]
    assert not done.tasks.exists() and not done.request_categories.exists()
    assert ledger_selectors.contribution_totals(done).total.total_hours > 0
    for shift in Shift.objects.all():
        assert shift.booked == shift.signups.filter(status="booked").count() <= shift.capacity
    assert ShiftSignup.objects.filter(status="waiting").exists()
    assert Contribution.objects.filter(status="pending").exists()
    assert Contribution.objects.filter(status="disputed").exists()
    assert Contribution.objects.filter(is_reversal=True).count() == 2
    assert audit_verify().ok


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_history(demo):
    results = []
    for _ in range(2):
        with transaction.atomic():
            result = load_delivery_history(rng=random.Random(3), initiatives={"f": demo["fire"]})
            results.append(
                (
                    result,
                    sorted(Contribution.objects.values_list("person__email", "quantity")),
                )
            )
            transaction.set_rollback(True)
    assert results[0] == results[1]

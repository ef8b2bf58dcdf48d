"""Rows stored before the budget's ranges existed are brought into them by the migration that
adds the CHECK constraints, so that a budget broken by an out-of-range import works again."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coproduce.commissioning.limits import MAX_MONEY, MAX_POINTS
from coproduce.commissioning.models import BallotChoice, Budget, Proposal
from factories import InitiativeFactory

BEFORE = [("commissioning", "0001_initial")]


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_out_of_range_rows_are_brought_into_range():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(BEFORE)
    try:
        budget = Budget.objects.create(
            initiative=InitiativeFactory(), title="Old", slug="old", max_points=0, max_projects=0
        )
        area = budget.areas.create(name="All", amount=Decimal(100))
        proposal = Proposal.objects.create(
            budget=budget, area=area, code="a", title="A", description="", estimated_cost=5
        )
        ballot = budget.ballots.create(
            channel="import",
            cast_at="2026-01-01T00:00Z",
            cast_on="2026-01-01",
            updated_at="2026-01-01T00:00Z",
        )
        BallotChoice.objects.create(ballot=ballot, proposal=proposal, points=MAX_POINTS * 10)
        if connection.vendor == "sqlite":  # the only database whose column took 10^15
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE commissioning_proposal SET estimated_cost = 1000000000000000"
                )
    finally:
        _migrate(latest)
    budget.refresh_from_db()
    assert (budget.max_points, budget.max_projects) == (None, None)
    assert BallotChoice.objects.get().points == MAX_POINTS
    if connection.vendor == "sqlite":
        assert Proposal.objects.get().estimated_cost == MAX_MONEY

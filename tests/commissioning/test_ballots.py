"""Ballot rules, checked without a database."""

from decimal import Decimal

from coproduce.commissioning.ballots import BallotRules, check_ballot

COSTS = {"1": Decimal(30), "2": Decimal(50), "3": Decimal(70)}


def test_approval_within_the_limit_passes_and_reports_what_is_left():
    check = check_ballot(BallotRules("approval", Decimal(100)), COSTS, approvals={"1", "2"})
    assert check.ok
    assert check.remaining == Decimal(20)


def test_approval_over_the_limit_is_refused():
    check = check_ballot(BallotRules("knapsack", Decimal(100)), COSTS, approvals={"2", "3"})
    assert not check.ok
    assert "more than" in check.problems[0]


def test_minimum_and_maximum_number_of_projects():
    rules = BallotRules("approval_count", Decimal(1000), min_projects=2, max_projects=2)
    assert not check_ballot(rules, COSTS, approvals={"1"}).ok
    assert check_ballot(rules, COSTS, approvals={"1", "2"}).ok
    assert not check_ballot(rules, COSTS, approvals={"1", "2", "3"}).ok


def test_cumulative_points_cannot_exceed_the_allowance():
    rules = BallotRules("cumulative", Decimal(100), max_points=10)
    assert check_ballot(rules, COSTS, points={"1": 6, "3": 4}).ok
    check = check_ballot(rules, COSTS, points={"1": 6, "3": 5})
    assert "11 points" in check.problems[0]


def test_cumulative_ballots_may_exceed_the_money():
    rules = BallotRules("cumulative", Decimal(10), max_points=10)
    assert check_ballot(rules, COSTS, points={"3": 10}).ok


def test_ranks_must_be_consecutive_from_one():
    rules = BallotRules("ranking", Decimal(100), max_projects=3)
    assert check_ballot(rules, COSTS, ranks={"2": 1, "1": 2}).ok
    assert not check_ballot(rules, COSTS, ranks={"2": 1, "1": 3}).ok
    assert not check_ballot(rules, COSTS, ranks={"2": 1, "1": 1}).ok


def test_an_empty_ballot_or_an_unknown_project_is_refused():
    assert not check_ballot(BallotRules("approval", Decimal(100)), COSTS).ok
    assert not check_ballot(BallotRules("approval", Decimal(100)), COSTS, approvals={"9"}).ok

"""Property tests on random small elections (hypothesis).

The fast engine is checked against the plain exact implementation in ``reference`` (and, when
installed, against pabutools itself), and the outcomes against the defining properties of the
rules: within budget, Add1 stops where it must, MES only funds what supporters can pay for,
and nothing depends on the order of the voters. Each test runs on the compiled kernels and on
the NumPy path (the ``kernel_path`` fixture).
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.methods.pb import reference
from coproduce.methods.pb.mes import MESEngine
from coproduce.methods.pb.pabulib import Ballot, Election, Project
from coproduce.methods.pb.profile import TIE_BREAKS, compile_profile, tie_break_order
from coproduce.methods.pb.rules import COMPLETIONS, tally

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    # kernel_path (function-scoped) only selects the engine's inner loops: the same for every
    # example of a test.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)

IDS = ["1", "2", "10", "a", "B", "x7", "07"]


@st.composite
def elections(draw, points: bool = False) -> Election:
    n_projects = draw(st.integers(1, 6))
    ids = draw(st.permutations(IDS))[:n_projects]
    # Costs with a few exact ties and fractions (half-units) to exercise exactness.
    costs = [draw(st.sampled_from([0, 1, 2, 3, 5, 6, 8, 10, 12, 15, Fraction(15, 2)])) for _ in ids]
    budget = draw(st.sampled_from([1, 5, 9, 10, 12, 20, 25, Fraction(41, 2), 33]))
    n_voters = draw(st.integers(1, 9))
    ballots = []
    for i in range(n_voters):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n_projects))
        pts = tuple(draw(st.integers(0, 4)) for _ in chosen) if points else None
        ballots.append(Ballot(f"v{i}", tuple(chosen), pts))
    vote_type = "cumulative" if points else "approval"
    return Election(
        meta={"budget": str(budget), "vote_type": vote_type},
        projects=tuple(Project(pid, cost) for pid, cost in zip(ids, costs, strict=True)),
        ballots=tuple(ballots),
        budget=budget,
        vote_type=vote_type,
    )


any_election = st.one_of(elections(), elections(points=True))


def _utilities(e: Election) -> list[str]:
    return ["cost", "cardinality", "points"] if e.vote_type == "cumulative" else ["cost"]


@SETTINGS
@given(any_election, st.sampled_from(TIE_BREAKS))
def test_fast_mes_equals_reference(kernel_path: str, e: Election, tie_break: str) -> None:
    for utility in _utilities(e):
        prof = compile_profile(e, utility)
        rank = tie_break_order(prof.ids, tie_break)
        start = Fraction(prof.budget, prof.n_voters)
        expected = reference.mes(prof, rank, start)
        assert MESEngine(prof, rank).run(0) == expected
        assert MESEngine(prof, rank, exact=True).run(0) == expected
        greedy = tally(e, "greedy", utility, tie_break=tie_break, profile=prof)
        assert list(greedy.selected) == [prof.ids[p] for p in reference.greedy(prof, rank)]


@SETTINGS
@given(any_election, st.sampled_from(TIE_BREAKS))
def test_add1_equals_reference_and_stops_correctly(
    kernel_path: str, e: Election, tie_break: str
) -> None:
    prof = compile_profile(e, "cost")
    rank = tie_break_order(prof.ids, tie_break)
    expected, increments = reference.mes_add1(prof, rank)
    outcome = tally(e, "mes", "cost", "add1", tie_break)
    assert outcome.add1_increments == increments
    assert list(outcome.selected) == [prof.ids[p] for p in expected]
    # Stopping rule: either the outcome is exhaustive among the projects MES may fund, or the
    # next increment would overspend (then the last feasible outcome is kept).
    among = [p for p in range(len(prof.ids)) if prof.total_sat[p] > 0 and prof.costs[p] > 0]
    start = Fraction(prof.budget, prof.n_voters) if prof.n_voters else Fraction(0)
    final = reference.mes(prof, rank, start + increments * prof.money_scale)
    if final == expected:
        assert reference.is_exhaustive(prof, expected, among)
    else:
        assert sum(prof.costs[p] for p in final) > prof.budget
    assert sum(prof.costs[p] for p in expected) <= prof.budget


@SETTINGS
@given(any_election, st.sampled_from(["greedy", "mes"]), st.sampled_from(COMPLETIONS))
def test_never_over_budget(kernel_path: str, e: Election, rule: str, completion: str) -> None:
    if rule == "greedy" and completion.startswith("add1"):
        return
    for utility in _utilities(e):
        outcome = tally(e, rule, utility, completion)
        costs = {p.project_id: p.cost for p in e.projects}
        assert sum(costs[p] for p in outcome.selected) == outcome.total_cost <= e.budget
        assert len(set(outcome.selected)) == len(outcome.selected)
        if rule == "greedy" or completion.endswith("greedy"):
            assert outcome.exhaustive


@SETTINGS
@given(any_election)
def test_mes_only_funds_what_supporters_pay(kernel_path: str, e: Election) -> None:
    """Every funded project is paid exactly by its supporters, none beyond her budget."""
    for utility in _utilities(e):
        outcome = tally(e, "mes", utility, details=True)
        info = outcome.details
        assert info is not None
        assert [f.project_id for f in info.funded] == [
            p for p in outcome.selected if e.project(p).cost > 0
        ]
        for f in info.funded:
            assert f.cost > 0 and f.rho > 0
            if f.payment is not None:
                assert f.full_payers * f.payment + f.partial_total == f.cost
        spent = info.spent()
        assert all(0 <= s <= info.budget_per_voter for s in spent.values())
        assert sum(spent.values()) == sum(f.cost for f in info.funded)


@SETTINGS
@given(any_election, st.sampled_from(COMPLETIONS), st.randoms(use_true_random=False))
def test_voter_order_does_not_matter(
    kernel_path: str, e: Election, completion: str, rnd: random.Random
) -> None:
    shuffled = list(e.ballots)
    rnd.shuffle(shuffled)
    other = Election(e.meta, e.projects, tuple(shuffled), e.budget, e.vote_type)
    for utility in _utilities(e):
        a = tally(e, "mes", utility, completion)
        b = tally(other, "mes", utility, completion)
        assert a.selected == b.selected
        assert a.add1_increments == b.add1_increments


@settings(max_examples=40, deadline=None, derandomize=True)
@given(any_election)
def test_matches_pabutools(e: Election) -> None:
    """Direct comparison with pabutools 1.2.3 when it is installed (bench extra)."""
    pytest.importorskip("pabutools")
    if e.vote_type == "cumulative" and any(not b.projects for b in e.ballots):
        return  # pabutools cannot read a cumulative ballot without any project
    from pabutools.election import Additive_Cardinal_Sat, Cardinality_Sat, Cost_Sat
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    from coproduce.methods.pb.pabulib import write

    instance, profile = parse_pabulib_from_string(write(e))
    sats = {"cost": Cost_Sat, "cardinality": Cardinality_Sat, "points": Additive_Cardinal_Sat}
    for utility in _utilities(e):
        sat = sats[utility]
        ours = tally(e, "mes", utility)
        theirs = method_of_equal_shares(instance, profile, sat_class=sat)
        assert sorted(ours.selected) == sorted(p.name for p in theirs)
        ours = tally(e, "greedy", utility)
        theirs = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
        assert sorted(ours.selected) == sorted(p.name for p in theirs)
    ours = tally(e, "mes", "cost", "add1-greedy")
    theirs = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    assert sorted(ours.selected) == sorted(p.name for p in theirs)

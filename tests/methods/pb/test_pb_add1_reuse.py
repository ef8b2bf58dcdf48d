"""Add1 with many increments: the reuse between increments must not change any decision.

Small random elections reach their Add1 stop after a few increments; these ones (about 100
units per voter, projects costing a few percent of the budget) need 20 to 60 increments, so
rounds get reused, recomputed in place and truncated many times. Every increment's outcome,
in funding order, is compared with a from-scratch exact computation. Instance 41/2 exposed a
wrong bound refresh (supporters broke in an earlier run were left out of it).
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from coproduce.methods.pb import reference
from coproduce.methods.pb.mes import MESEngine, evaluation, kernels
from coproduce.methods.pb.pabulib import Ballot, Election, Project
from coproduce.methods.pb.profile import compile_profile, tie_break_order


def add1_heavy_election(seed: int, index: int) -> Election:
    rng = random.Random(seed)
    for _ in range(index + 1):
        n_projects = rng.randint(10, 30)
        n_voters = rng.randint(60, 220)
        ids = [f"p{i}" for i in range(n_projects)]
        budget = 100 * n_voters + rng.randint(0, 99)
        costs = [rng.randint(budget // 40, budget // 6) for _ in ids]
        ballots = []
        for i in range(n_voters):
            chosen = rng.sample(ids, rng.randint(1, min(n_projects, 7)))
            ballots.append(Ballot(f"v{i}", tuple(chosen)))
    return Election(
        meta={"budget": str(budget), "vote_type": "approval"},
        projects=tuple(Project(p, c) for p, c in zip(ids, costs, strict=True)),
        ballots=tuple(ballots),
        budget=budget,
        vote_type="approval",
    )


@pytest.mark.parametrize(
    ("seed", "index", "numpy_paths"),
    [(41, 2, False), (41, 2, True), (42, 5, False), (8, 1, True)],
)
def test_every_increment_matches_a_fresh_exact_run(
    seed: int, index: int, numpy_paths: bool, monkeypatch
) -> None:
    if numpy_paths:  # the NumPy path instead of the compiled one, vectorised scan too
        monkeypatch.setattr(kernels, "USE_COMPILED", False)
        monkeypatch.setattr(evaluation, "_SCAN", 0)
    election = add1_heavy_election(seed, index)
    prof = compile_profile(election, "cost")
    rank = tie_break_order(prof.ids, "id")
    start = Fraction(prof.budget, prof.n_voters)
    engine = MESEngine(prof, rank)
    expected, increments = reference.mes_add1(prof, rank)
    k = 0
    while k <= increments:
        assert engine.run(k) == reference.mes(prof, rank, start + k * prof.money_scale), k
        k = engine.next_increment()
    assert engine.stats.rounds_reused > 0

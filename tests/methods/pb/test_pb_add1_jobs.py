"""Add1 on two processes: the same outcome as the sequential loop, wherever the cut falls.

The cut is normally estimated from the spending of the plain MES outcome; here it is forced to
every interesting place: the start, the middle, exactly the stopping increment (the upper half
stops at once, by overspending or by being exhaustive) and past it (the lower half stops first
and the other process is stopped).
"""

from __future__ import annotations

import os
from fractions import Fraction
from functools import cache

import pytest

from coproduce.methods.pb import add1 as add1_module
from coproduce.methods.pb import reference
from coproduce.methods.pb.add1 import add1
from coproduce.methods.pb.pabulib import parse_file
from coproduce.methods.pb.profile import compile_profile, tie_break_order
from coproduce.methods.pb.rules import tally
from methods.pb.pb_testdata import DATA, expected_outcomes, needs_data
from methods.pb.test_pb_add1_reuse import add1_heavy_election

#: (seed, index) of heavy elections: one stops by overspending, one by being exhaustive.
ELECTIONS = [(41, 2), (42, 5), (2, 2), (8, 0)]


@cache
def _setup(seed: int, index: int):
    prof = compile_profile(add1_heavy_election(seed, index), "cost")
    rank = tie_break_order(prof.ids, "id")
    return prof, rank, reference.mes_add1(prof, rank)


def test_the_elections_cover_both_ways_of_stopping() -> None:
    ways = set()
    for seed, index in ELECTIONS:
        prof, rank, (_, k_stop) = _setup(seed, index)
        result = add1(prof, rank)
        start = Fraction(prof.budget, prof.n_voters)
        outcome_at_stop = reference.mes(prof, rank, start + k_stop * prof.money_scale)
        ways.add(sum(prof.costs[p] for p in outcome_at_stop) > prof.budget)
        assert result.k_stop == k_stop
    assert ways == {True, False}


@pytest.mark.parametrize(("seed", "index"), ELECTIONS)
@pytest.mark.parametrize("where", ["start", "middle", "stop", "after-stop"])
def test_two_processes_give_the_sequential_outcome(
    seed: int, index: int, where: str, monkeypatch
) -> None:
    prof, rank, (expected, k_stop) = _setup(seed, index)
    cut = {"start": 1, "middle": max(1, k_stop // 2), "stop": k_stop, "after-stop": k_stop + 3}
    monkeypatch.setattr(add1_module, "_split_point", lambda prof, outcome, seconds: cut[where])
    sequential = add1(prof, rank)
    result = add1(prof, rank, jobs=2)
    assert result.chosen == sequential.chosen == expected
    assert result.k_stop == sequential.k_stop == k_stop
    assert result.k_chosen == sequential.k_chosen


def test_progress_is_reported_from_both_halves(monkeypatch) -> None:
    prof, rank, (_, k_stop) = _setup(42, 5)
    monkeypatch.setattr(add1_module, "_split_point", lambda prof, outcome, seconds: k_stop // 2)
    monkeypatch.setattr(add1_module._Throttled, "__call__", _unthrottled)
    seen: list[int] = []
    add1(prof, rank, lambda k, n: seen.append(k), jobs=2)
    assert seen[0] == 0
    assert max(seen) >= k_stop // 2


def _unthrottled(self, k: int, n: int) -> None:
    self.sender.send(("progress", k, n))


def test_an_error_in_the_other_process_is_raised_here(monkeypatch) -> None:
    prof, rank, (_, k_stop) = _setup(42, 5)
    monkeypatch.setattr(add1_module, "_split_point", lambda prof, outcome, seconds: k_stop // 2)
    monkeypatch.setattr(add1_module, "MESEngine", _BrokenInChild(add1_module.MESEngine))
    with pytest.raises(RuntimeError, match="engine failure"):
        add1(prof, rank, jobs=2)


class _BrokenInChild:
    """Builds engines normally in this process and fails in the forked one."""

    def __init__(self, real) -> None:
        self.real = real
        self.parent = os.getpid()

    def __call__(self, *args, **kwargs):
        if os.getpid() != self.parent:
            raise RuntimeError("engine failure")
        return self.real(*args, **kwargs)


@needs_data
@pytest.mark.parametrize(
    "name",
    [
        "Netherlands_Amsterdam_285.pb",
        "Poland_Lodz_2022.pb",
        "Poland_Lodz_2024_Stoki-Sikawa-Podgorze.pb",
        "Poland_Czestochowa_2024.pb",
    ],
)
def test_real_elections_with_two_processes(name: str, monkeypatch) -> None:
    monkeypatch.setattr(add1_module, "_MIN_WORK", 0.0)  # fork even where it does not pay
    expected = expected_outcomes()[name]["mes_cost_add1"]
    outcome = tally(parse_file(DATA / name), "mes", "cost", "add1", jobs=2)
    assert sorted(outcome.selected) == expected["selected"]
    assert outcome.add1_increments == expected["add1_increments"]


def test_a_second_process_only_for_enough_work() -> None:
    prof, rank, _ = _setup(42, 5)
    first = add1_module.MESEngine(prof, rank).run(0)
    assert add1_module._split_point(prof, first, 1e-6) is None  # forking would cost more
    cut = add1_module._split_point(prof, first, 10.0)
    assert cut is not None and cut >= 1

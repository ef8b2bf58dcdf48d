"""Identical outcomes to pabutools 1.2.3 on every shared real election and rule.

The reference sets come from ``expected_outcomes.json`` next to the data (each entry records the
exact pabutools call). Add1 runs are shared between ``mes_cost_add1`` and
``mes_cost_add1_greedy`` so the whole file stays fast. Every case runs on the compiled kernels
and on the NumPy path (what a machine without the compiled extension runs), except the Add1
rules on the few elections where the NumPy path takes several seconds (:data:`SLOW_ON_NUMPY`).
"""

from __future__ import annotations

from functools import cache

import pytest

from coproduce.methods.pb import pabulib
from coproduce.methods.pb.add1 import add1
from coproduce.methods.pb.profile import compile_profile, tie_break_order
from coproduce.methods.pb.rules import _exhaustive, greedy, tally
from methods.pb.pb_testdata import DATA, PATHS, expected_outcomes, needs_data

#: rule name in expected_outcomes.json -> (rule, utility, completion)
RULES = {
    "greedy_cost": ("greedy", "cost", "none"),
    "greedy_points": ("greedy", "points", "none"),
    "mes_cost": ("mes", "cost", "none"),
    "mes_card": ("mes", "cardinality", "none"),
    "mes_points": ("mes", "points", "none"),
    "mes_cost_greedy": ("mes", "cost", "greedy"),
    "mes_cost_add1": ("mes", "cost", "add1"),
    "mes_cost_add1_greedy": ("mes", "cost", "add1-greedy"),
}

#: Elections whose Add1 takes several seconds on the NumPy path (CPU seconds measured on a
#: shared two-core machine: Toulouse 8.5, Warszawa-Bielany 5.5, Stanford 3.5; every other shared
#: election stays near or below one second). Their Add1 rules run on the compiled kernels only,
#: to keep the suite fast; every other rule of theirs runs on both paths.
SLOW_ON_NUMPY = {
    "France_Toulouse_2022.pb",
    "Poland_Warszawa_2021_Bielany.pb",
    "US_Stanford_Dataset_SF_Tenderloin_December_2022_vote_knapsacks.pb",
}

CASES = [
    pytest.param(name, rule, path, id=f"{name.removesuffix('.pb')}-{rule}-{path}")
    for name, rules in expected_outcomes().items()
    for rule in rules
    for path in PATHS
    if not (path == "numpy" and "add1" in rule and name in SLOW_ON_NUMPY)
]


@cache
def _election(name: str) -> pabulib.Election:
    return pabulib.parse_file(DATA / name)


@cache
def _profile(name: str, utility: str):
    return compile_profile(_election(name), utility)


@cache
def _add1_run(name: str, path: str) -> tuple[tuple[int, ...], int]:
    """Add1 on ``name``'s cost profile; ``path`` (the inner loops in use) keys the cache."""
    prof = _profile(name, "cost")
    result = add1(prof, tie_break_order(prof.ids, "id"))
    return tuple(result.chosen), result.k_stop


@needs_data
@pytest.mark.parametrize(("name", "rule", "kernel_path"), CASES, indirect=["kernel_path"])
def test_same_outcome_as_pabutools(name: str, rule: str, kernel_path: str) -> None:
    expected = expected_outcomes()[name][rule]
    kind, utility, completion = RULES[rule]
    prof = _profile(name, utility)
    if completion.startswith("add1"):
        chosen, increments = _add1_run(name, kernel_path)
        assert increments == expected["add1_increments"]
        chosen = list(chosen)
        if completion == "add1-greedy" and not _exhaustive(prof, chosen, range(len(prof.ids))):
            chosen = greedy(prof, tie_break_order(prof.ids, "id"), chosen)
        selected = sorted(prof.ids[p] for p in chosen)
        total = sum(prof.costs[p] for p in chosen) / prof.money_scale
    else:
        outcome = tally(_election(name), kind, utility, completion, profile=prof)
        selected = sorted(outcome.selected)
        total = outcome.total_cost
    assert selected == expected["selected"]
    assert total == pabulib.parse_number(expected["total_cost"])


@needs_data
@pytest.mark.parametrize(
    ("name", "rule"),
    [
        (name, rule)
        for name, rules in expected_outcomes().items()
        for rule, entry in rules.items()
        if "add1" not in rule and entry.get("tie_sensitive") is not None
    ],
)
def test_tie_breaking_sensitivity_matches_reference(name: str, rule: str, kernel_path: str) -> None:
    """The reference notes where reverse-id and numeric-id tie-breaking change the set."""
    entry = expected_outcomes()[name][rule]
    kind, utility, completion = RULES[rule]
    prof = _profile(name, utility)
    base = sorted(entry["selected"])
    reverse = sorted(tally(_election(name), kind, utility, completion, "reverse-id").selected)
    numeric = sorted(tally(_election(name), kind, utility, completion, "numeric-id").selected)
    assert (reverse != base) == entry["tie_sensitive"]
    assert (numeric != base) == entry["differs_with_numeric_id_tiebreak"]
    assert prof.n_voters == _election(name).num_voters


@needs_data
def test_mes_explanation_is_consistent(kernel_path: str) -> None:
    """Payments add up to the costs and nobody spends more than her budget."""
    election = _election("Poland_Krakow_2023_Nowa_Huta.pb")
    outcome = tally(election, "mes", "cost", "add1-greedy", details=True)
    info = outcome.details
    assert info is not None
    funded = {f.project_id: f for f in info.funded}
    for f in info.funded:
        assert f.payment is not None
        assert f.full_payers * f.payment + f.partial_total == f.cost
        assert f.rho == f.payment / f.cost
    spent = info.spent()
    assert len(spent) == election.num_voters
    assert sum(spent.values()) == sum(f.cost for f in info.funded)
    assert max(spent.values()) <= info.budget_per_voter
    assert set(funded) | set(info.not_funded) == {p.project_id for p in election.projects}
    assert "BO.D18.9/23" in info.not_funded  # the artificial 999999999 project
    assert list(info.completed) == [p for p in outcome.selected if p not in funded]

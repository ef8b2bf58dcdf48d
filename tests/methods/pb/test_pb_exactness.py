"""Exact arithmetic matters: instances where float64 would take a different decision.

Each test builds an election whose outcome depends on a comparison that float64 cannot make
correctly, shows that a straightforward float implementation gets it wrong, and checks that the
engine (float screening + exact verification) gets the exact answer, the one pabutools' rational
implementation gives.
"""

from __future__ import annotations

from fractions import Fraction

from coproduce.methods.pb import reference
from coproduce.methods.pb.mes import MESEngine
from coproduce.methods.pb.pabulib import Ballot, Election, Project
from coproduce.methods.pb.profile import compile_profile, tie_break_order
from coproduce.methods.pb.rules import tally


def election(costs: dict[str, int | Fraction], votes: list[list[str]], budget) -> Election:
    return Election(
        meta={"budget": str(budget), "vote_type": "approval"},
        projects=tuple(Project(pid, cost) for pid, cost in costs.items()),
        ballots=tuple(Ballot(f"v{i}", tuple(v)) for i, v in enumerate(votes)),
        budget=budget,
        vote_type="approval",
    )


def naive_float_mes(e: Election, utility: str) -> list[str]:
    """Textbook MES in float64, voter by voter (what a quick implementation would do)."""
    n = e.num_voters
    budget = [float(e.budget) / n] * n
    supporters = {p.project_id: [] for p in e.projects}
    for i, b in enumerate(e.ballots):
        for pid in b.projects:
            supporters[pid].append(i)
    cost = {p.project_id: float(p.cost) for p in e.projects}
    chosen: list[str] = []
    while True:
        best = None
        for pid in sorted(supporters):
            sup = supporters[pid]
            if pid in chosen or not sup or cost[pid] == 0:
                continue
            money = 0.0
            for i in sup:
                money += budget[i]
            if money < cost[pid]:
                continue
            sat = cost[pid] if utility == "cost" else 1.0
            paid, units = 0.0, sat * len(sup)
            for i in sorted(sup, key=lambda i: budget[i]):
                rho = (cost[pid] - paid) / units
                if rho * sat <= budget[i]:
                    break
                paid += budget[i]
                units -= sat
            if best is None or rho < best[0]:
                best = (rho, pid)
        if best is None:
            return chosen
        rho, pid = best
        chosen.append(pid)
        for i in supporters[pid]:
            sat = cost[pid] if utility == "cost" else 1.0
            budget[i] -= min(budget[i], rho * sat)


def test_rho_difference_below_float_resolution() -> None:
    """rho = (2**54 + 1) / 3 against 2**54 / 3: equal as floats, so a float tally falls back
    on tie-breaking and funds "a"; exactly, "b" is cheaper per vote and wins."""
    x = 2**54
    e = election({"a": x + 1, "b": x}, [["a", "b"]] * 3, x + 1)
    assert naive_float_mes(e, "cardinality") == ["a"]
    assert tally(e, "mes", "cardinality").selected == ("b",)
    prof = compile_profile(e, "cardinality")
    assert reference.mes(prof, tie_break_order(prof.ids, "id"), Fraction(x + 1, 3)) == [1]


def test_exactly_affordable_project_is_funded() -> None:
    """Ten voters with 1/10 each can exactly pay a project costing 1; summed in float64 the
    ten budgets make 0.9999999999999999 and a float tally wrongly finds it unaffordable."""
    e = election({"p": 1}, [["p"]] * 10, 1)
    assert naive_float_mes(e, "cost") == []
    assert tally(e, "mes", "cost").selected == ("p",)


def test_greedy_density_tie_broken_exactly() -> None:
    """Votes per cost 1/(2**53 + 1) against 1/2**53: equal as floats (a float sort would keep
    id order and fund "a"), but "b" has the higher density and must come first."""
    big = 2**53
    e = election({"a": big + 1, "b": big}, [["a"], ["b"]], big + 1)
    assert 1 / float(big + 1) == 1 / float(big)
    assert tally(e, "greedy", "cardinality").selected == ("b",)


def test_equal_rhos_are_a_real_tie() -> None:
    """Identical projects tie exactly: the tie-breaking rule (not rounding) decides."""
    e = election({"10": 30, "9": 30}, [["10", "9"]] * 3, 30)
    assert tally(e, "mes", "cost").selected == ("10",)  # string order: "10" < "9"
    assert tally(e, "mes", "cost", tie_break="numeric-id").selected == ("9",)
    assert tally(e, "mes", "cost", tie_break="reverse-id").selected == ("9",)


def test_forced_exact_engine_agrees() -> None:
    x = 2**54
    e = election({"a": x + 1, "b": x, "c": 7}, [["a", "b"], ["a", "b", "c"], ["b"]], x + 8)
    prof = compile_profile(e, "cost")
    rank = tie_break_order(prof.ids, "id")
    fast = MESEngine(prof, rank).run(0)
    exact = MESEngine(prof, rank, exact=True).run(0)
    assert fast == exact == reference.mes(prof, rank, Fraction(prof.budget, prof.n_voters))

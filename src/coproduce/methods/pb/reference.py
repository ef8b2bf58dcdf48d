"""Straightforward exact implementations of the rules, for tests and cross-checks.

Everything here is plain :class:`fractions.Fraction` arithmetic following the textbook
definitions (and pabutools' semantics), with no screening, grouping tricks or reuse between
Add1 increments. It is slow on city-wide files but small enough to be obviously right, so the
fast engine in :mod:`.mes` is tested against it on many random instances.
"""

from __future__ import annotations

from fractions import Fraction

from .profile import Profile

__all__ = ["greedy", "mes", "mes_add1", "is_exhaustive"]


def greedy(prof: Profile, rank: list[int], initial: list[int] | None = None) -> list[int]:
    """Greedy utilitarian: by satisfaction per cost, skipping what no longer fits."""
    chosen = list(initial or [])
    remaining = prof.budget - sum(prof.costs[p] for p in chosen)
    taken = set(chosen)

    def density(p: int) -> tuple[int, Fraction]:
        if prof.total_sat[p] > 0:
            if prof.costs[p] > 0:
                return (1, Fraction(prof.total_sat[p], prof.costs[p]))
            return (2, Fraction(0))  # infinite density
        return (0, Fraction(0))

    order = sorted(
        (p for p in range(len(prof.ids)) if p not in taken),
        key=lambda p: (tuple(-x for x in density(p)), rank[p]),
    )
    for p in order:
        if prof.costs[p] <= remaining:
            chosen.append(p)
            remaining -= prof.costs[p]
    return chosen


def _sat(prof: Profile, p: int) -> list[tuple[int, int]]:
    """``(group, satisfaction per voter)`` of the supporters of ``p``."""
    groups = prof.sup[p].tolist()
    if prof.sat is None:
        return [(g, 1) for g in groups]
    return list(zip(groups, prof.sat[p].tolist(), strict=True))


def mes(prof: Profile, rank: list[int], budget_per_voter: Fraction) -> list[int]:
    """Method of Equal Shares with every voter starting at ``budget_per_voter`` (scaled money).

    Each round funds the project with the smallest ``rho`` (payment per unit of utility), ties
    by ``rank``; a supporter pays ``min(budget, rho * utility)``.
    """
    if prof.n_voters == 0:
        return []
    mult = prof.mult.tolist()
    budget = [Fraction(budget_per_voter)] * prof.n_groups
    chosen = [p for p in range(len(prof.ids)) if prof.total_sat[p] > 0 and prof.costs[p] == 0]
    cands = {p for p in range(len(prof.ids)) if prof.total_sat[p] > 0 and prof.costs[p] > 0}
    sats = {p: _sat(prof, p) for p in cands}
    while True:
        best = None
        for p in sorted(cands):
            c = prof.costs[p]
            sup = sats[p]
            if sum(mult[g] * budget[g] for g, _ in sup) < c:
                continue
            sup_sorted = sorted(sup, key=lambda gs: budget[gs[0]] / gs[1])
            paid = Fraction(0)
            denom = sum(mult[g] * s for g, s in sup)
            for g, s in sup_sorted:
                pi = (c - paid) / denom
                if pi * s <= budget[g]:
                    break
                paid += mult[g] * budget[g]
                denom -= mult[g] * s
            rho = pi / prof.kappa[p]
            if best is None or (rho, rank[p]) < (best[0], rank[best[1]]):
                best = (rho, p, pi)
        if best is None:
            return chosen
        _, w, pi = best
        chosen.append(w)
        cands.discard(w)
        for g, s in sats[w]:
            budget[g] -= min(budget[g], pi * s)


def is_exhaustive(prof: Profile, chosen: list[int], among: list[int] | None = None) -> bool:
    """Whether no project of ``among`` (default: all) outside ``chosen`` still fits."""
    spent = sum(prof.costs[p] for p in chosen)
    taken = set(chosen)
    pool = range(len(prof.ids)) if among is None else among
    return all(p in taken or spent + prof.costs[p] > prof.budget for p in pool)


def mes_add1(prof: Profile, rank: list[int]) -> tuple[list[int], int]:
    """MES with pabutools' ``voter_budget_increment=1`` loop; returns (outcome, increments)."""
    if prof.n_voters == 0:
        return [], 0
    start = Fraction(prof.budget, prof.n_voters)
    among = [p for p in range(len(prof.ids)) if prof.total_sat[p] > 0 and prof.costs[p] > 0]
    previous: list[int] = []
    k = 0
    while True:
        outcome = mes(prof, rank, start + k * prof.money_scale)
        if sum(prof.costs[p] for p in outcome) > prof.budget:
            return previous, k
        if is_exhaustive(prof, outcome, among):
            return outcome, k
        previous = outcome
        k += 1

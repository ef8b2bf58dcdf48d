"""Participatory-budgeting tallies: greedy utilitarian and the Method of Equal Shares.

The outcomes are identical to pabutools 1.2.3 (exact rationals, ties broken by the project-id
string unless asked otherwise); see ``docs/methods-pb.md`` for the algorithms. Entry point:
:func:`tally`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from .add1 import _exhaustive, add1
from .mes import MESEngine, MESStats
from .pabulib import Election
from .profile import TIE_BREAKS, UTILITIES, Profile, compile_profile, tie_break_order

__all__ = [
    "COMPLETIONS",
    "RULES",
    "TIE_BREAKS",
    "UTILITIES",
    "FundedProject",
    "MESDetails",
    "Outcome",
    "greedy",
    "tally",
]

RULES = ("greedy", "mes")
#: ``greedy``: complete with greedy utilitarian (pabutools' completion_by_rule_combination),
#: ``add1``: raise every voter's budget by one currency unit until the outcome is exhaustive
#: or would overspend (pabutools' ``voter_budget_increment=1``), ``add1-greedy``: both.
COMPLETIONS = ("none", "greedy", "add1", "add1-greedy")

Number = int | Fraction


@dataclass(frozen=True, slots=True)
class FundedProject:
    """How one project was paid for under MES (exact amounts, in currency units).

    ``rho`` is the price per unit of utility (pabutools' "affordability"); every supporter
    pays ``rho * utility`` if she can (``full_payers`` voters) and otherwise everything she
    has left (``partial_payers`` voters, paying ``partial_total`` together).
    """

    project_id: str
    cost: Number
    rho: Fraction
    payment: Fraction | None  # per full-paying supporter (binary utilities), else None
    full_payers: int
    partial_payers: int
    partial_total: Fraction


@dataclass(frozen=True, slots=True)
class MESDetails:
    """Explanation of an MES outcome for the results page (optional, computed exactly)."""

    budget_per_voter: Fraction
    funded: tuple[FundedProject, ...]
    #: Why each project of the election was not funded by MES (project id -> reason).
    not_funded: dict[str, str]
    #: Projects added by the greedy completion, in order.
    completed: tuple[str, ...]
    _spent_by_group: tuple[Fraction, ...] = field(repr=False)
    _group_of: tuple[int, ...] = field(repr=False)
    _voter_ids: tuple[str, ...] = field(repr=False)

    def spent(self) -> dict[str, Fraction]:
        """Money spent by each voter (voter id -> amount), built on demand."""
        by_group = self._spent_by_group
        return {v: by_group[g] for v, g in zip(self._voter_ids, self._group_of, strict=True)}


@dataclass(frozen=True, slots=True)
class Outcome:
    """Result of :func:`tally`. ``selected`` is in funding order; money is exact."""

    selected: tuple[str, ...]
    total_cost: Number
    budget: Number
    rule: str
    utility: str
    completion: str
    tie_break: str
    exhaustive: bool
    add1_increments: int | None = None
    seconds: float = 0.0
    details: MESDetails | None = None
    stats: MESStats | None = None


def _money(prof: Profile, value: int | Fraction) -> Number:
    v = Fraction(value) / prof.money_scale
    return v.numerator if v.denominator == 1 else v


def greedy(prof: Profile, rank: list[int], initial: list[int] | None = None) -> list[int]:
    """Greedy utilitarian welfare, as pabutools' additive greedy scheme.

    Projects are taken by decreasing satisfaction per unit of cost (free projects with
    supporters first, projects nobody supports last), ties by ``rank``; a project is skipped
    when it no longer fits. ``initial`` projects are kept and their cost deducted first.
    """
    chosen = list(initial or [])
    taken = set(chosen)
    remaining = prof.budget - sum(prof.costs[p] for p in chosen)
    costs, total = prof.costs, prof.total_sat

    def key(p: int) -> tuple[int, Fraction, int]:
        if total[p] > 0:
            if costs[p] > 0:
                return (1, -Fraction(total[p], costs[p]), rank[p])
            return (0, Fraction(0), rank[p])
        return (2, Fraction(0), rank[p])

    for p in sorted((p for p in range(len(prof.ids)) if p not in taken), key=key):
        if costs[p] <= remaining:
            chosen.append(p)
            remaining -= costs[p]
    return chosen


def tally(
    election: Election,
    rule: str = "mes",
    utility: str = "cost",
    completion: str = "none",
    tie_break: str = "id",
    *,
    details: bool = False,
    progress: Callable[[int, int], None] | None = None,
    profile: Profile | None = None,
    jobs: int = 1,
) -> Outcome:
    """Compute the winning projects of ``election``.

    ``rule`` is ``greedy`` or ``mes``; ``utility`` one of :data:`UTILITIES`; ``completion``
    one of :data:`COMPLETIONS` (MES only); ``tie_break`` one of :data:`TIE_BREAKS`. With
    ``details=True`` an exact explanation of the MES run is attached (slower). ``progress`` is
    called as ``progress(increment, n_selected)`` during Add1. ``profile`` may pass a
    :func:`compile_profile` result for ``utility`` to skip compiling again. ``jobs=2`` runs
    the Add1 increments on two processes (forked; same outcome, see :mod:`.add1`).
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r} (known: {', '.join(RULES)})")
    if completion not in COMPLETIONS:
        raise ValueError(f"unknown completion {completion!r} (known: {', '.join(COMPLETIONS)})")
    if rule == "greedy" and completion.startswith("add1"):
        raise ValueError("Add1 completion only applies to the Method of Equal Shares")
    started = time.perf_counter()
    prof = profile if profile is not None else compile_profile(election, utility)
    if prof.utility != utility:
        raise ValueError(f"profile was compiled for {prof.utility!r}, not {utility!r}")
    rank = tie_break_order(prof.ids, tie_break)
    increments = None
    info = None
    stats = None
    if rule == "greedy":
        chosen = greedy(prof, rank)
    else:
        if completion.startswith("add1"):
            result = add1(prof, rank, progress, jobs)
            chosen, increments, stats = result.chosen, result.k_stop, result.stats
            k_final = result.k_chosen
        else:
            engine = MESEngine(prof, rank, track=False)
            chosen = engine.run(0)
            stats = engine.stats
            k_final = 0
        mes_part = list(chosen)
        if completion in ("greedy", "add1-greedy") and not _exhaustive(
            prof, chosen, range(len(prof.ids))
        ):
            chosen = greedy(prof, rank, chosen)
        if details:
            info = _explain(election, prof, rank, max(k_final, 0), mes_part, chosen)
    seconds = time.perf_counter() - started
    total = sum(prof.costs[p] for p in chosen)
    return Outcome(
        selected=tuple(prof.ids[p] for p in chosen),
        total_cost=_money(prof, total),
        budget=_money(prof, prof.budget),
        rule=rule,
        utility=utility,
        completion=completion if rule == "mes" else "none",
        tie_break=tie_break,
        exhaustive=_exhaustive(prof, chosen, range(len(prof.ids))),
        add1_increments=increments,
        seconds=seconds,
        details=info,
        stats=stats,
    )


def _explain(
    election: Election,
    prof: Profile,
    rank: list[int],
    k: int,
    mes_part: list[int],
    chosen: list[int],
) -> MESDetails:
    """Exact explanation of the MES run at increment ``k`` (replayed without shortcuts)."""
    if prof.n_voters == 0:
        return MESDetails(
            budget_per_voter=Fraction(0),
            funded=(),
            not_funded={pid: "nobody voted" for pid in prof.ids if pid not in chosen},
            completed=tuple(prof.ids[p] for p in chosen),
            _spent_by_group=(),
            _group_of=(),
            _voter_ids=(),
        )
    engine = MESEngine(prof, rank, track=False)
    got = engine.run(k)
    assert got == mes_part, "replay must reproduce the outcome"
    scale = prof.money_scale
    funded = []
    for j, rec in enumerate(engine.rounds):
        if rec.w < 0:
            continue
        pi = engine.exact_pi(j)
        poor = engine.poor_of(rec)
        partial = sum(n * engine.exact_class_budget(kk) for kk, n, _ in poor)
        if prof.utility == "cost":
            rho = pi / prof.kappa[rec.w]
        elif prof.utility == "cardinality":
            rho = pi / scale
        else:
            rho = pi * prof.points_scale / scale
        funded.append(
            FundedProject(
                project_id=prof.ids[rec.w],
                cost=_money(prof, prof.costs[rec.w]),
                rho=rho,
                payment=pi / scale if prof.sat is None else None,
                full_payers=rec.rich_n,
                partial_payers=sum(n for _, n, _ in poor),
                partial_total=Fraction(partial) / scale,
            )
        )
    t = engine.tx
    final_cls = engine.cls.tolist()
    budget_of = {c: engine.exact_class_budget(c) for c in set(final_cls)}
    spent = tuple((t - budget_of[c]) / scale for c in final_cls)
    funded_set = set(mes_part)
    not_funded: dict[str, str] = {}
    for p in range(len(prof.ids)):
        if p in funded_set:
            continue
        pid = prof.ids[p]
        if prof.costs[p] > prof.budget:
            not_funded[pid] = "costs more than the whole budget"
        elif prof.total_sat[p] == 0:
            not_funded[pid] = "no voter gains anything from it"
        else:
            left = engine.supporters_budget(p)
            not_funded[pid] = (
                f"its supporters had {_fmt(left / scale)} left in total, "
                f"less than its cost {_fmt(Fraction(prof.costs[p], scale))}"
            )
    completed = tuple(prof.ids[p] for p in chosen if p not in funded_set)
    return MESDetails(
        budget_per_voter=t / scale,
        funded=tuple(funded),
        not_funded=not_funded,
        completed=completed,
        _spent_by_group=spent,
        _group_of=tuple(prof.group_of.tolist()),
        _voter_ids=tuple(election.ballot_columns().voter_ids),
    )


def _fmt(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{float(x):.2f}"

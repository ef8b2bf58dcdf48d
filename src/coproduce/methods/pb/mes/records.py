"""What the engine remembers: one evaluation of a project, one round, and work counters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class MESStats:
    """Counters showing how much work the fast paths saved (tests and benchmarks)."""

    runs: int = 0
    runs_skipped: int = 0
    rounds_computed: int = 0
    rounds_reused: int = 0
    evaluations: int = 0
    exact_evaluations: int = 0
    exact_winner_checks: int = 0


class Evaluation:
    """One evaluation of a project in a round: float values, error bounds and slopes.

    Bins are the (budget class, satisfaction) pairs of the project's live supporters: ``ks``
    their classes, ``ns`` their voters, ``ss`` their satisfaction (None for binary
    utilities), ``keys`` a key per bin. ``order`` sorts them by budget per unit of
    satisfaction; the first ``npoor`` of that order pay everything they have left, the
    others pay ``pi`` per unit of satisfaction (``r_units`` units in all). ``rho`` is ``pi``
    per unit of ``kappa``; ``d*`` are slopes in ``t`` and ``*_err`` error bounds. ``xpi`` is
    the exact ``pi`` when it was computed. ``delta`` is how far ``t`` may grow while the
    evaluation's decision provably holds (or the data to compute that lazily).
    """

    __slots__ = (
        "afford",
        "delta",
        "dpi",
        "dpi_err",
        "drho",
        "drho_err",
        "keys",
        "ks",
        "npoor",
        "ns",
        "order",
        "p",
        "pi",
        "pi_err",
        "r_units",
        "rho",
        "rho_err",
        "ss",
        "xpi",
    )


class Round:
    """What is needed to undo a round, to replay it exactly and to know how long it holds.

    ``w`` is the funded project (-1: MES stopped), ``k`` the increment the round was decided
    at and ``kmax`` the increment below which it provably stays the same (None until asked).
    ``lb``/``alive``/``ku``/``pending`` are a snapshot of the projects' state at the start of
    the round; ``old_cls``/``new_cls`` the classes of the winner's supporters before and
    after; ``k_start`` the first class the round created.
    """

    __slots__ = (
        "alive",
        "bins",
        "checks",
        "new_cls",
        "split",
        "split_of",
        "k",
        "k_start",
        "kmax",
        "ku",
        "lb",
        "old_cls",
        "pending",
        "pi",
        "poor",
        "r_units",
        "rich_n",
        "tied",
        "w",
        "win",
    )

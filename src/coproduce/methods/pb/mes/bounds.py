"""Lower bounds of ``rho``, and how long a round's decisions provably hold as ``t`` grows.

Two uses of the same kind of bound:

* *Pruning within a round* (as pabutools does, plus one trick). A project's ``rho`` only grows
  as budgets shrink, so its last computed value is a lower bound, and a project is only
  re-evaluated while its bound is below the best ``rho`` found this round. Moreover, for
  *any* division of a project's supporters into "pays all she has" (money ``P``) and "pays
  the full share" (``R`` units of satisfaction), ``(cost - P) / R`` is a lower bound of the
  price per unit; the project's last division with today's budgets refreshes its bound for
  the price of one gather (:meth:`BoundsMixin._refresh`).
* *Certificates for Add1*. Every bound is stored as an affine function of the increment
  (value, slope, error bounds: the rows of the lower-bound table). A losing project's
  ``rho`` is a convex function of ``t``, so an affine piece computed once stays a valid
  lower bound at every increment. A round's decisions hold while the winner's split does not
  change (:func:`split_distance`) and every other project's bound stays above the winner's
  ``rho`` (:meth:`BoundsMixin._certificate_from`).

Every comparison subtracts the error bounds first, so a certificate can be too short (more
work) but never too long (a wrong outcome).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .records import Evaluation, Round
from .tables import (
    ABS_SLOPE,
    BUDGET,
    BUDGET_ERR,
    INF,
    LB_AT,
    LB_SLOPE,
    LB_SLOPE_ERR,
    LB_VALUE,
    LB_VALUE_ERR,
    SHRINK,
    SLOPE,
    SLOPE_ERR,
    U,
)


def crossing(g0: float, e0: float, g1: float, e1: float) -> float:
    """How far ``t`` may grow while ``g(t) = g0 + g1 * dt`` provably stays positive.

    ``g0`` and ``g1`` are float approximations within ``e0`` and ``e1`` of the exact values.
    """
    lo = g0 - e0
    if lo <= 0.0:
        return 0.0
    slope = g1 - e1
    if slope >= 0.0:
        return INF
    return lo / -slope * SHRINK


def crossings(lo: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Vector form of :func:`crossing` given ``lo = g0 - e0`` and ``slope = g1 - e1``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(slope >= 0.0, INF, lo / -slope * SHRINK)
    return np.where(lo <= 0.0, 0.0, d)


def split_margins(
    rows: np.ndarray,
    ss: np.ndarray | None,
    order: Sequence[int] | np.ndarray,
    npoor: int,
    pi: float,
    pi_err: float,
) -> np.ndarray:
    """Per bin: by how much the certified side of the split beats its error bound.

    ``rows`` are the bins' rows of the class table; a poor bin must have a budget provably
    below ``pi`` (times its satisfaction ``ss``), a rich one provably at or above it.
    """
    b = rows[:, BUDGET]
    sign = np.ones(len(b))
    sign[order[npoor:]] = -1.0
    pay = pi if ss is None else pi * ss
    sv = 1.0 if ss is None else ss
    return sign * (pay - b) - (rows[:, BUDGET_ERR] + sv * pi_err + 2 * U * (pay + np.abs(b)))


def split_distance(
    rows: np.ndarray,
    ss: np.ndarray | None,
    order: Sequence[int] | np.ndarray,
    npoor: int,
    pi: float,
    pi_err: float,
    dpi: float,
    dpi_err: float,
) -> float:
    """How far ``t`` may grow (money units) before a supporter could change side."""
    lo = split_margins(rows, ss, order, npoor, pi, pi_err)
    a = rows[:, SLOPE]
    sign = np.ones(len(a))
    sign[order[npoor:]] = -1.0
    if ss is None:
        bound = rows[:, SLOPE_ERR] + dpi_err + 2 * U * (rows[:, ABS_SLOPE] + abs(dpi))
        slope = sign * (dpi - a) - bound
    else:
        bound = rows[:, SLOPE_ERR] + ss * dpi_err + 2 * U * (rows[:, ABS_SLOPE] + ss * abs(dpi))
        slope = sign * (dpi * ss - a) - bound
    return float(crossings(lo, slope).min())


class BoundsMixin:
    """Lower bounds, recorded splits and round certificates (part of ``MESEngine``).

    Owns the lower-bound table ``lb`` (rows ``LB_*``, one column per project), ``low`` (each
    bound at the current increment minus its error) and ``split`` (each project's last
    division of its supporters); reads the class table and the rounds.
    """

    def _lower_bounds(self, lb: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Lower bounds of every rho at increment ``k`` and their error bounds."""
        dt = (k - lb[LB_AT]) * self.scale
        moved = lb[LB_SLOPE] * dt
        value = lb[LB_VALUE] + moved
        err = (
            lb[LB_VALUE_ERR]
            + lb[LB_SLOPE_ERR] * np.abs(dt)
            + 2 * U * (np.abs(lb[LB_VALUE]) + np.abs(moved))
        )
        return value, err

    def _refresh_low(self) -> None:
        """Recompute ``low`` from the lower-bound table at the current increment."""
        # Projects MES never considers have an infinite bound (inf - inf: nan, never read).
        with np.errstate(invalid="ignore"):
            value, err = self._lower_bounds(self.lb, self.k)
            self.low = value - err

    def _bound_from(self, ev: Evaluation) -> float:
        """Record an affordable evaluation's ``rho`` as its project's lower bound (its tangent
        at this increment); return the upper end of ``rho``'s error interval."""
        p = ev.p
        self.lb[:, p] = (ev.rho, ev.drho, self.k, ev.rho_err, ev.drho_err)
        self.low[p] = ev.rho - (ev.rho_err + 2 * U * abs(ev.rho))
        return ev.rho + ev.rho_err

    def _refresh(self, p: int) -> float:
        """Raise ``p``'s lower bound from its last split, with the current budgets.

        For *any* division of the supporters into those who pay everything they have (money
        ``P``) and the others (``R`` units of satisfaction), ``(cost - P) / R`` is a lower
        bound of the payment per unit: every supporter pays at most her budget, and at most
        ``pi`` per unit. The division must cover every supporter (see _remember_split).
        Budgets shrink round after round, so the last split still gives a tight bound at the
        cost of one gather, instead of a full evaluation.
        """
        return self.kern.refresh(p, self.split[p], self.low, self.lb, float(self.k))

    def _remember_split(self, ev: Evaluation) -> None:
        """Keep the supporter groups that paid everything in this evaluation (see _refresh).

        Supporters with no money left at this point are kept on that side too: in another
        Add1 run (larger budgets) they may hold money, and the bound must count it.
        """
        p = ev.p
        sup = self.prof.sup[p]
        if self.binary:
            ks, _ = self._in_order(ev)
            groups, weights = self.kern.split_groups(p, ks, ev.npoor)
            self.split[p] = (groups, weights, float(ev.r_units))
            return
        if isinstance(ev.order, np.ndarray):
            poor = ev.keys[ev.order[: ev.npoor]].tolist()
        else:
            poor = [ev.keys[i] for i in ev.order[: ev.npoor]]
        nv = len(self.svals[p])
        flag = np.zeros(self.K * nv, dtype=bool)
        flag[poor] = True
        flag[:nv] = True  # the dead class, whatever the satisfaction
        mask = flag[self.cls[sup] * nv + self.sidx[p]]
        self.split[p] = (sup[mask], self.msup[p][mask], float(ev.r_units))

    # ------------------------------------------------------------------ certificates

    def _kmax(self, j: int) -> float:
        """Increment below which round ``j`` provably takes the same decisions (lazy)."""
        rec = self.rounds[j]
        if rec.kmax is None:
            self._kmax_compute(rec, self.rounds[j + 1])
        return rec.kmax

    def _kmax_of(self, rec: Round, nxt: Round) -> float:
        """:meth:`_kmax` of a round no longer in ``rounds`` (followed by ``nxt``)."""
        if rec.kmax is None:
            self._kmax_compute(rec, nxt)
        return rec.kmax

    def _kmax_compute(self, rec: Round, nxt: Round) -> None:
        """Both conditions of a round's validity: its winner's split holds and nobody else
        can beat the winner."""
        if not self.track:
            rec.kmax = -INF
            return
        kmax = rec.k + self._split_dist(rec) / self.scale
        rec.kmax = min(kmax, self._certificate(rec, nxt))

    def _split_dist(self, rec: Round) -> float:
        """How far ``t`` may grow before the winner's split could change (computed once)."""
        dist = INF
        for _, d in rec.checks:
            if isinstance(d, tuple):
                d = split_distance(*d)
            dist = min(dist, d)
        rec.checks = [(rec.w, dist)]
        return dist

    def _certificate(self, rec: Round, after: Round) -> float:
        """Increment below which no other project can beat round ``rec``'s winner.

        ``after`` is the next round, whose snapshot holds the state at the end of ``rec``.
        """
        return self._certificate_from(rec, after.lb, after.pending, after.alive, after.ku)

    def _certificate_from(
        self, rec: Round, lb: np.ndarray, others: np.ndarray, alive: np.ndarray, ku: np.ndarray
    ) -> float:
        """A project loses if its lower bound stays above the winner's rho or (for a project
        removed as unaffordable) if it stays unaffordable: the better of the two counts.
        ``others`` are the projects still pending once the winner is funded."""
        return self.kernels.certificate(
            lb,
            others.view(np.uint8),
            alive.view(np.uint8),
            ku,
            rec.k,
            self.scale,
            *rec.win,
            rec.tied,
        )

"""The compiled kernels' operations in NumPy, for when the extension was not built.

Same interface as ``_kernels.pyx`` for what the NumPy path of the engine needs: a
:class:`Tables` object (binding the class arrays, funding a project, recording a split and
bounding ``rho`` from it) and the functions :func:`ranked` and :func:`certificate`. The
candidate loop of a round and the evaluation of a project, which the compiled ``Tables`` also
offers, already have a NumPy implementation in the engine (:mod:`.evaluation`).

The arithmetic is the same: every element-wise operation is the one the C code performs, in
the same order, so values and error bounds agree bit for bit; sums may be added in another
order, which the error bounds allow (a sum of ``n`` positive terms is within ``(n - 1) * u``
of its value whatever the order). Sums are taken of element-wise products, never through a
BLAS dot product, which might fuse a multiply and an add.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from .tables import (
    ABS_SLOPE,
    BUDGET,
    BUDGET_ERR,
    DEAD,
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

__all__ = ["Tables", "certificate", "ranked"]


class Tables:
    """The engine's supporter lists and class arrays (the NumPy twin of ``_kernels.Tables``).

    ``errmax``/``eslopemax``/``aslopemax`` are the largest error bounds and absolute slope of
    any class; the engine sets them for the existing classes and :meth:`fund` keeps them up
    to date for the classes it creates.
    """

    def __init__(
        self,
        sup: list[np.ndarray],
        mult: list[np.ndarray],
        voters: list[float],
        costs: Sequence[int | Fraction],
        kappa: Sequence[int | Fraction],
        track: bool,
    ) -> None:
        self.sup = [np.asarray(s, dtype=np.int64) for s in sup]
        self.mult = [np.asarray(m, dtype=np.float64) for m in mult]
        self.voters = [float(v) for v in voters]
        self.cost = [float(c) for c in costs]
        self.kappa = [float(k) for k in kappa]
        self.track = track
        self.evaluations = 0
        self.errmax = 0.0
        self.eslopemax = 0.0
        self.aslopemax = 0.0

    def bind(
        self,
        tab: np.ndarray,
        cls: np.ndarray,
        curv: np.ndarray,
        c_vref: np.ndarray,
        c_eref: np.ndarray,
        c_kref: np.ndarray,
    ) -> None:
        """Point at the engine's (new) class arrays, which it reallocates as classes grow."""
        self.tab = tab
        self.cls = cls
        self.curv = curv
        self.c_vref = c_vref
        self.c_eref = c_eref
        self.c_kref = c_kref

    def fund(
        self,
        p: int,
        ks: np.ndarray,
        ns: np.ndarray,
        npoor: int,
        pi: float,
        pe: float,
        dpi: float,
        dpe: float,
        K: int,
        k_now: float,
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Fund project ``p`` evaluated with bins ``ks``/``ns`` in split order.

        The first ``npoor`` bins pay everything (their voters join the class ``DEAD``); every
        other bin pays ``pi`` per voter and becomes a new class, numbered from ``K`` in bin
        order (the table must have room), whose budget, slope and their error bounds follow
        from the paying class and ``pi``. Returns ``(old, new, rich_voters)``: the
        supporters' classes before and after, and the voters paying the full share.
        """
        tab = self.tab
        rich_k = np.asarray(ks[npoor:], dtype=np.int64)
        n_new = len(rich_k)
        src = tab[rich_k]
        rows = slice(K, K + n_new)
        b = src[:, BUDGET]
        tab[rows, BUDGET] = b - pi
        tab[rows, BUDGET_ERR] = src[:, BUDGET_ERR] + pe + 2 * U * (np.abs(b) + pi)
        tab[rows, SLOPE] = src[:, SLOPE] - dpi
        tab[rows, SLOPE_ERR] = src[:, SLOPE_ERR] + dpe + 2 * U * (src[:, ABS_SLOPE] + abs(dpi))
        tab[rows, ABS_SLOPE] = np.abs(tab[rows, SLOPE])
        self.curv[rows] = tab[rows, BUDGET]
        self.c_vref[rows] = tab[rows, BUDGET]
        self.c_eref[rows] = tab[rows, BUDGET_ERR]
        self.c_kref[rows] = k_now
        if n_new:
            self.errmax = max(self.errmax, float(tab[rows, BUDGET_ERR].max()))
            self.eslopemax = max(self.eslopemax, float(tab[rows, SLOPE_ERR].max()))
            self.aslopemax = max(self.aslopemax, float(tab[rows, ABS_SLOPE].max()))
        # Every supporter is in a bin or in the dead class: map each to its new class.
        mapping = np.zeros(K, dtype=np.int64)  # DEAD everywhere; only these entries are read
        mapping[rich_k] = np.arange(K, K + n_new, dtype=np.int64)
        sup = self.sup[p]
        old = self.cls[sup]
        new = mapping[old]
        self.cls[sup] = new
        return old, new, round(float(np.asarray(ns[npoor:], dtype=np.float64).sum()))

    def split_groups(self, p: int, ks: np.ndarray, npoor: int) -> tuple[np.ndarray, np.ndarray]:
        """The supporter groups of ``p`` (and their voters) in the first ``npoor`` bins of
        ``ks`` or in the dead class: the side of a split that pays everything it has."""
        sup = self.sup[p]
        cl = self.cls[sup]
        mask = cl == DEAD
        if npoor:
            mask |= np.isin(cl, ks[:npoor])
        return sup[mask], self.mult[p][mask]

    def split_bound(
        self, p: int, groups: np.ndarray, weights: np.ndarray, units: float
    ) -> tuple[float, float, float, float]:
        """Lower bound of ``p``'s ``rho`` from a recorded split (see ``BoundsMixin._refresh``).

        Returns ``(value, err, slope, slope_err)`` of the affine bound ``(c - P) / R / kappa``
        where ``P`` is the money the groups hold now and ``R`` = ``units``.
        """
        rows = self.tab[self.cls[groups]]
        weighted = weights[:, None] * rows
        paid, perr, s, se, sa = (weighted.sum(axis=0) if len(groups) else np.zeros(5)).tolist()
        n = len(groups)
        c, kappa = self.cost[p], self.kappa[p]
        value = (c - paid) / units / kappa
        err = (perr + (n + 2) * U * paid + 2 * U * (c + paid)) / units / kappa
        err += 2 * U * abs(value)
        slope = -s / units / kappa
        serr = (se + (n + 2) * U * sa) / units / kappa
        return value, err, slope, serr + 2 * U * abs(slope)

    def refresh(
        self,
        p: int,
        recorded: tuple[np.ndarray, np.ndarray, float],
        low: np.ndarray,
        lb: np.ndarray,
        k: float,
    ) -> float:
        """Raise ``p``'s lower bound (``lb``, ``low``) from its recorded split ``(groups,
        weights, units)`` with today's budgets; return the bound."""
        value, err, slope, serr = self.split_bound(p, *recorded)
        new = value - (err + 2 * U * abs(value))
        if new > low[p]:
            lb[LB_VALUE, p] = value
            lb[LB_SLOPE, p] = slope
            lb[LB_AT, p] = k
            lb[LB_VALUE_ERR, p] = err
            lb[LB_SLOPE_ERR, p] = serr
            low[p] = new
        return float(low[p])


def ranked(alive: np.ndarray, low: np.ndarray, best_hi: float) -> tuple[list[int], list[float]]:
    """Projects still alive whose lower bound ``low`` is at most ``best_hi``, by bound (ties by
    index), as two lists: projects and bounds. An unknown (NaN) bound prunes nothing: such a
    project comes first, with bound -inf."""
    cand = np.flatnonzero(alive.view(bool) & ~(low > best_hi))
    bounds = low[cand]
    bounds = np.where(np.isnan(bounds), -INF, bounds)
    order = np.argsort(bounds, kind="stable")  # cand is increasing: ties stay by index
    return cand[order].tolist(), bounds[order].tolist()


def certificate(
    lb: np.ndarray,
    others: np.ndarray,
    alive: np.ndarray,
    ku: np.ndarray,
    k: float,
    scale: float,
    rho: float,
    rho_err: float,
    drho: float,
    drho_err: float,
    tied: Sequence[int],
) -> float:
    """Increment below which no project of ``others`` can beat a round's winner.

    A project loses while its lower bound (the affine piece in ``lb``, valid at every
    increment) stays above the winner's ``rho`` (value, slope and error bounds given), or,
    for a project removed as unaffordable (not ``alive``), while it stays so (below ``ku``).
    Exact ties lost by tie-breaking (``tied``) must keep a provably non-negative slope
    difference. A NaN counts as no certificate at all (the round holds only at ``k``).
    """
    k, scale = float(k), float(scale)  # as the C code sees them
    idx = np.flatnonzero(others.view(bool))
    if not len(idx):
        return INF
    v0, ls, at, e0, e1 = lb[:, idx]
    # An infinite or NaN bound (never expected) must give NaN or inf quietly, as in C.
    with np.errstate(all="ignore"):
        dt = (k - at) * scale
        moved = ls * dt
        value = v0 + moved
        err = e0 + e1 * np.abs(dt) + 2 * U * (np.abs(v0) + np.abs(moved))
        lo = value - rho - (err + rho_err + 2 * U * (np.abs(value) + abs(rho)))
        slope = ls - drho - (e1 + drho_err + 2 * U * (np.abs(ls) + abs(drho)))
        d = lo / -slope * SHRINK
        d = np.where(slope >= 0.0, INF, d)
        d = np.where(lo <= 0.0, 0.0, d)
        if len(tied):
            lost = np.isin(idx, np.asarray(tied, dtype=np.int64))
            d[lost] = np.where(slope[lost] >= 0.0, INF, 0.0)
        kmax = k + d / scale
        kmax = np.where(~alive.view(bool)[idx] & (ku[idx] > kmax), ku[idx], kmax)
    if np.isnan(kmax).any():
        return float(k)
    return float(kmax.min())

"""The MES engine: state, rounds, the choice of each round's winner, funding it.

:class:`MESEngine` is assembled from three parts that each live in their own module:
:class:`~.evaluation.EvaluationMixin` (evaluating a project, in float or exactly),
:class:`~.bounds.BoundsMixin` (lower bounds and certificates) and
:class:`~.add1_reuse.Add1ReuseMixin` (reruns at larger increments). This module keeps what
ties them together: the budget classes, one round from candidates to winner, and funding.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..profile import Profile
from . import kernels
from .add1_reuse import Add1ReuseMixin
from .bounds import BoundsMixin
from .evaluation import EvaluationMixin
from .records import Evaluation, MESStats, Round
from .tables import (
    ABS_SLOPE,
    BOUND_ROWS,
    BUDGET,
    BUDGET_ERR,
    CLASS_COLUMNS,
    DEAD,
    INF,
    INIT,
    LB_VALUE,
    LB_VALUE_ERR,
    SLOPE,
    SLOPE_ERR,
    U,
)


class MESEngine(EvaluationMixin, BoundsMixin, Add1ReuseMixin):
    """Method of Equal Shares on a compiled :class:`~coproduce.methods.pb.profile.Profile`.

    ``rank[p]`` is the tie-breaking rank (lower wins ties). :meth:`run` computes the outcome
    when every voter starts with ``budget / n_voters + k`` currency units; successive calls with
    growing ``k`` reuse earlier work (Add1). ``exact=True`` decides everything with Fractions
    (slow; for tests). ``track=False`` skips the bookkeeping that only reruns need.

    The inner loops come from the compiled kernels when they were built and
    :func:`~.kernels.kernel_path` says so when the engine is created, else from NumPy
    (:mod:`.numpy_kernels`); the outcome is the same.
    """

    def __init__(
        self, prof: Profile, rank: list[int], *, exact: bool = False, track: bool = True
    ) -> None:
        self.prof = prof
        self.rank = rank
        self.force_exact = exact
        self.track = track
        self.stats = MESStats()
        n_projects = len(prof.ids)
        self.n_projects = n_projects
        self.costs = prof.costs
        self.kappa = prof.kappa
        self.scale = prof.money_scale
        self.t0 = Fraction(prof.budget, prof.n_voters) if prof.n_voters else Fraction(0)
        mult = prof.mult.astype(np.float64)
        self.msup = [mult[s] for s in prof.sup]
        self.nsup = [float(m.sum()) for m in self.msup]
        self.binary = prof.sat is None
        self.svals: list[list[int]] = []
        self.svals_f: list[np.ndarray] = []
        self.sidx: list[np.ndarray] = []
        if prof.sat is not None:
            for s in prof.sat:
                vals, inv = np.unique(s, return_inverse=True)
                self.svals.append([int(v) for v in vals])
                self.svals_f.append(vals.astype(np.float64))
                self.sidx.append(inv.reshape(-1).astype(np.int64))
        # Free projects with supporters are funded up front (as pabutools does).
        self.free = [p for p in range(n_projects) if prof.total_sat[p] > 0 and prof.costs[p] == 0]
        self.cands = [p for p in range(n_projects) if prof.total_sat[p] > 0 and prof.costs[p] > 0]
        # rho >= cost / (kappa * total units of satisfaction), whatever the budgets.
        lb0 = np.full(n_projects, INF)
        for p in self.cands:
            units = int(prof.mult[prof.sup[p]].sum()) if prof.sat is None else None
            if units is None:
                assert prof.sat is not None
                units = int((prof.mult[prof.sup[p]] * prof.sat[p]).sum())
            lb0[p] = float(Fraction(prof.costs[p], prof.kappa[p] * units))
        self.lb0 = lb0
        if max(self.nsup, default=0) * max((max(v) for v in self.svals if v), default=1) >= 2**52:
            # Counts of satisfaction units must be exact in float64; beyond 2**52 decide
            # everything exactly (never happens with real elections).
            self.force_exact = True
        self.kernel_path = kernels.kernel_path()
        self.kernels = kernels.current()
        # The compiled candidate loop handles binary utilities only; points use the NumPy
        # loop (with the same Tables for funding and bounds).
        self.compiled = self.binary and self.kernel_path == "compiled"
        self.kern = self.kernels.Tables(
            prof.sup, self.msup, self.nsup, prof.costs, prof.kappa, track
        )
        self.k: int | None = None
        self.split: list[tuple[np.ndarray, np.ndarray, float] | None] = [None] * n_projects
        self.rounds: list[Round] = []
        self.selected: list[int] = []

    # ------------------------------------------------------------------ state handling

    def _reset(self) -> None:
        """Everybody back in the initial class; every project's bound back to its start."""
        self.cls = np.full(self.prof.n_groups, INIT, dtype=np.int64)
        cap = 256
        self.K = 2
        # Class table, one row per budget class (row-major: one gather fetches a class).
        self.tab = np.zeros((cap, CLASS_COLUMNS))
        self.curv = np.zeros(cap)  # contiguous copy of the budget column
        self.c_vref = np.zeros(cap)  # budget at increment c_kref ...
        self.c_kref = np.zeros(cap)
        self.c_eref = np.zeros(cap)  # ... and its error bound
        self.tab[INIT, SLOPE] = 1.0
        self.tab[INIT, ABS_SLOPE] = 1.0
        # How each class came about: its parent class, the round it paid in, units paid.
        self.c_parent = [0, 0]
        self.c_round = [-1, -1]
        self.c_s = [0, 0]
        self._bind()
        n = self.n_projects
        # Lower bound of each project's rho, an affine function of the increment.
        self.lb = np.zeros((BOUND_ROWS, n))
        self.lb[LB_VALUE] = self.lb0
        self.lb[LB_VALUE_ERR] = np.where(np.isfinite(self.lb0), self.lb0 * (2 * U), 0.0)
        self.alive = np.zeros(n, dtype=bool)  # may still be funded (not known unaffordable)
        self.alive[self.cands] = True
        self.pending = self.alive.copy()  # not funded yet
        self.ku = np.full(n, INF)  # removed as unaffordable: stays so below this increment
        self.rounds = []
        self.selected = []

    def _set_k(self, k: int) -> None:
        """Move every existing class (and the exact memo) to increment ``k``."""
        self.k = k
        self.tx = self.t0 + k * self.scale
        tf = float(self.tx)
        K = self.K
        self.c_vref[INIT] = tf
        self.c_kref[INIT] = k
        self.c_eref[INIT] = U * tf
        tab = self.tab
        dt = (k - self.c_kref[:K]) * self.scale
        vref = self.c_vref[:K]
        moved = tab[:K, SLOPE] * dt
        tab[:K, BUDGET] = vref + moved
        tab[:K, BUDGET_ERR] = (
            self.c_eref[:K]
            + tab[:K, SLOPE_ERR] * np.abs(dt)
            + 2 * U * (np.abs(vref) + np.abs(moved))
        )
        self.curv[:K] = tab[:K, BUDGET]
        self.kern.errmax = float(tab[:K, BUDGET_ERR].max())
        self.kern.eslopemax = float(tab[:K, SLOPE_ERR].max())
        self.kern.aslopemax = float(tab[:K, ABS_SLOPE].max())
        self.xb: dict[int, Fraction] = {DEAD: Fraction(0), INIT: self.tx}
        # Exact prices are memoised for this increment only: _set_k is only ever called with
        # an increment no round has been decided at yet (a fresh run, or a larger one).
        self.xpi: dict[int, Fraction] = {}

    def _grow(self, need: int) -> None:
        """Make room for ``need`` classes (the arrays are reallocated, twice as large)."""
        cap = len(self.c_vref)
        if need <= cap:
            return
        new = max(need, 2 * cap)
        tab = np.zeros((new, CLASS_COLUMNS))
        tab[:cap] = self.tab
        self.tab = tab
        for name in ("c_vref", "c_kref", "c_eref", "curv"):
            arr = np.zeros(new)
            arr[:cap] = getattr(self, name)
            setattr(self, name, arr)
        self._bind()

    def _bind(self) -> None:
        """Show the (new) class arrays to the kernels."""
        self.kern.bind(self.tab, self.cls, self.curv, self.c_vref, self.c_eref, self.c_kref)

    # ------------------------------------------------------------------ driver

    def run(self, k: int = 0) -> list[int]:
        """Projects funded by MES when voters start with ``budget / n + k`` currency units.

        Returned as project indices in funding order (free supported projects first).
        Successive calls with non-decreasing ``k`` reuse the previous computation.
        """
        if self.prof.n_voters == 0:
            return []
        self.stats.runs += 1
        if self.k is None or k < self.k:
            self._fresh(k)
        elif k != self.k:
            self._warm(k)
        return self.free + self.selected

    def _fresh(self, k: int) -> None:
        """Run MES from scratch at increment ``k``."""
        self._reset()
        self._set_k(k)
        self._refresh_low()
        while self._round():
            pass

    # ------------------------------------------------------------------ rounds

    def _round(self, hint: int = -1) -> bool:
        """Play one round at the current increment; return False when MES stops.

        ``hint`` is a project likely to win (the winner of the same round in the previous
        run): evaluated first, it lets the bounds of the others prune them at once.
        """
        self.stats.rounds_computed += 1
        rec = self._new_round()
        choice = self._pick(hint)
        if choice is None:
            self._terminate(rec)
            return False
        self._fund(*choice, rec)
        return True

    def _new_round(self) -> Round:
        """Record for a round starting now, with a snapshot of the state it starts from."""
        rec = Round()
        rec.k = self.k
        rec.k_start = self.K
        rec.old_cls = None
        rec.kmax = None
        rec.tied = ()
        rec.checks = []
        if self.track:
            rec.lb = self.lb.copy()
            rec.alive = self.alive.copy()
            rec.ku = self.ku.copy()
            rec.pending = self.pending.copy()
        return rec

    def _pick(self, hint: int) -> tuple[Evaluation, list[Evaluation]] | None:
        """The winner of the round and its exact ties (None: MES stops); ``hint`` first."""
        if self.compiled:
            return self._choose_compiled(hint)
        return self._choose(self._first(hint))

    def _choose_compiled(self, hint: int) -> tuple[Evaluation, list[Evaluation]] | None:
        """:meth:`_choose` with the candidate loop in the compiled kernel.

        Projects the kernel cannot decide in float are evaluated exactly afterwards; they do
        not prune the others meanwhile, which only means a few more evaluations.
        """
        kern = self.kern
        before = kern.evaluations
        found, exact = kern.choose(
            hint,
            self.alive.view(np.uint8),
            self.low,
            self.lb,
            self.ku,
            self.split,
            float(self.k),
            float(self.scale),
        )
        self.stats.evaluations += kern.evaluations - before
        evals = [self._found(out) for out in found]
        for p, ks, ns in exact:
            ev = Evaluation()
            ev.p, ev.xpi, ev.delta = p, None, None
            ev.ks = ev.keys = ks
            ev.ns, ev.ss = ns, None
            ev = self._evaluate_exact(ev)
            if not ev.afford:
                self._set_unaffordable(ev)
                continue
            evals.append(ev)
            self._bound_from(ev)
        return self._settle(evals)

    def _found(self, out: tuple) -> Evaluation:
        """An :class:`Evaluation` from a certified evaluation of the compiled kernel."""
        ev = Evaluation()
        p, ks, ns, npoor, units, pi, pi_err, dpi, dpi_err, dist = out
        ev.p, ev.xpi = p, None
        ev.ks = ev.keys = ks
        ev.ns, ev.ss = ns, None
        ev.delta = dist if self.track else None
        ev.order = range(len(ks))  # the kernel returns the bins in split order
        return self._priced(ev, npoor, units, pi, pi_err, dpi, dpi_err)

    def _choose(
        self, first: Evaluation | None = None
    ) -> tuple[Evaluation, list[Evaluation]] | None:
        """Lazy evaluation of the live projects; the winner and exact ties, or None.

        ``first`` is an evaluation already made this round (the likely winner), which lets
        the others be pruned by their bounds right away.
        """
        evals: list[Evaluation] = []
        best_hi = INF
        if first is not None:
            evals.append(first)
            best_hi = self._bound_from(first)
        # Only projects whose bound is below the best known rho can matter, in bound order.
        split = self.split
        skip = -1 if first is None else first.p
        ranked = self.kernels.ranked(self.alive.view(np.uint8), self.low, best_hi)
        for p, low_p in zip(*ranked, strict=True):
            if low_p > best_hi:
                break
            if p == skip:
                continue
            if split[p] is not None and best_hi < INF and self._refresh(p) > best_hi:
                continue
            ev = self._evaluate(p)
            if not ev.afford:
                self._set_unaffordable(ev)
                continue
            evals.append(ev)
            best_hi = min(best_hi, self._bound_from(ev))
        return self._settle(evals)

    def _first(self, p: int) -> Evaluation | None:
        """Evaluate the likely winner ``p`` if it may still be funded and can pay (else None)."""
        if p < 0 or not self.alive[p]:
            return None
        ev = self._evaluate(p)
        if ev.afford:
            return ev
        self._set_unaffordable(ev)
        return None

    def _set_unaffordable(self, ev: Evaluation) -> None:
        """``ev``'s project cannot be paid for: out of this run, below the increment found."""
        self.alive[ev.p] = False
        self.ku[ev.p] = self.k + ev.delta / self.scale if self.track else self.k

    def _settle(self, evals: list[Evaluation]) -> tuple[Evaluation, list[Evaluation]] | None:
        """The round's winner among ``evals`` and its exact ties (None when there is none);
        the losers' splits are kept to refresh their bounds later."""
        if not evals:
            return None
        win, tied = self._winner(evals)
        for ev in evals:
            if ev is not win and ev.npoor:
                self._remember_split(ev)
        return win, tied

    def _winner(self, evals: list[Evaluation]) -> tuple[Evaluation, list[Evaluation]]:
        """Smallest rho, ties by rank; near-ties are settled exactly."""
        if len(evals) == 1:
            return evals[0], []
        best = min(evals, key=lambda ev: ev.rho + ev.rho_err)
        hi = best.rho + best.rho_err
        near = [ev for ev in evals if ev.rho - ev.rho_err <= hi]
        if len(near) == 1:
            return near[0], []
        self.stats.exact_winner_checks += 1
        exact = [(self._exact_rho(ev), self.rank[ev.p], ev) for ev in near]
        rho, _, win = min(exact, key=lambda x: (x[0], x[1]))
        return win, [ev for r, _, ev in exact if r == rho and ev is not win]

    def _terminate(self, rec: Round) -> None:
        """MES stops: every project not funded must stay unaffordable."""
        rec.w = -1
        pend = self.pending
        if not self.track:
            rec.kmax = -INF
        else:
            rec.kmax = float(self.ku[pend].min()) if pend.any() else INF
        self.rounds.append(rec)

    def _describe(self, rec: Round, win: Evaluation, tied: list[Evaluation]) -> None:
        """Store the winner's data needed to know how long this round stays valid."""
        # Only the winner's split must persist: it fixes the budgets after this round. A losing
        # project's rho is a convex function of t (the lower boundary of the convex set where
        # its supporters can pay), so the affine piece computed now stays a valid lower bound
        # for every t even after its own split changes.
        rec.checks = [(win.p, win.delta)]
        rec.win = (win.rho, win.rho_err, win.drho, win.drho_err)
        rec.tied = [ev.p for ev in tied]

    # ------------------------------------------------------------------ funding

    def _fund(self, ev: Evaluation, tied: list[Evaluation], rec: Round) -> None:
        """Fund ``ev``'s project: supporters pay, move to new budget classes; record it."""
        self._describe(rec, ev, tied)
        p = ev.p
        j = len(self.rounds)
        order, npoor = ev.order, ev.npoor
        rec.w = p
        rec.pi = ev.pi
        rec.r_units = ev.r_units
        rec.poor = None
        rec.bins = (ev.ks, ev.ns, ev.ss, order, npoor)  # turned into rec.poor on demand
        rec.split_of = (ev.keys, order, npoor)  # turned into rec.split on demand
        rec.split = None
        if ev.xpi is not None:
            self.xpi[j] = ev.xpi
        if self.binary:
            self._fund_binary(ev, rec, j)
        else:
            self._fund_points(ev, rec, j)
        self.alive[p] = False
        self.pending[p] = False
        self.selected.append(p)
        self.rounds.append(rec)

    def _fund_binary(self, ev: Evaluation, rec: Round, j: int) -> None:
        """Binary utilities: every rich bin pays ``pi`` and becomes a class (in the kernels)."""
        ks, ns = self._in_order(ev)
        K, npoor = self.K, ev.npoor
        n_new = len(ks) - npoor
        self._grow(K + n_new)
        rec.old_cls, rec.new_cls, rec.rich_n = self.kern.fund(
            ev.p, ks, ns, npoor, ev.pi, ev.pi_err, ev.dpi, ev.dpi_err, K, float(self.k)
        )
        self.c_parent.extend(ks[npoor:].tolist())
        self.c_round.extend([j] * n_new)
        self.c_s.extend([1] * n_new)
        self.K = K + n_new

    def _fund_points(self, ev: Evaluation, rec: Round, j: int) -> None:
        """Utilities with several values: a rich bin pays ``pi`` per unit of satisfaction."""
        K = self.K
        pi, pe, dpi, dpe = ev.pi, ev.pi_err, ev.dpi, ev.dpi_err
        ks, ns, ss = ev.ks, ev.ns, ev.ss
        o = np.asarray(ev.order, dtype=np.int64)
        npoor = ev.npoor
        ri = o[npoor:]
        rec.rich_n = round(float(ns[ri].sum()))
        kr = ks[ri]
        n_new = len(kr)
        src = self.tab[kr]
        b = src[:, BUDGET]
        self._grow(K + n_new)
        rows = self.tab[K : K + n_new]
        s_r = ss[ri]
        pay = pi * s_r
        rows[:, BUDGET] = b - pay
        rows[:, BUDGET_ERR] = src[:, BUDGET_ERR] + s_r * pe + 2 * U * (np.abs(b) + pay)
        rows[:, SLOPE] = src[:, SLOPE] - dpi * s_r
        rows[:, SLOPE_ERR] = (
            src[:, SLOPE_ERR] + s_r * dpe + 2 * U * (src[:, ABS_SLOPE] + s_r * abs(dpi))
        )
        rows[:, ABS_SLOPE] = np.abs(rows[:, SLOPE])
        if n_new:
            self.kern.errmax = max(self.kern.errmax, float(rows[:, BUDGET_ERR].max()))
            self.kern.eslopemax = max(self.kern.eslopemax, float(rows[:, SLOPE_ERR].max()))
            self.kern.aslopemax = max(self.kern.aslopemax, float(rows[:, ABS_SLOPE].max()))
        self.curv[K : K + n_new] = rows[:, BUDGET]
        new = slice(K, K + n_new)
        self.c_vref[new] = rows[:, BUDGET]
        self.c_eref[new] = rows[:, BUDGET_ERR]
        self.c_kref[new] = self.k
        self.c_parent.extend(kr.tolist())
        self.c_round.extend([j] * n_new)
        self.c_s.extend(np.rint(s_r).astype(np.int64).tolist())
        self.K = K + n_new
        # Move the supporters to their new classes (those who paid everything are dead).
        sup = self.prof.sup[ev.p]
        old = self.cls[sup]
        rec.old_cls = old
        nv = len(self.svals[ev.p])
        mapping = np.arange(K * nv, dtype=np.int64) // nv
        mapping[ev.keys[o[:npoor]]] = DEAD
        mapping[ev.keys[ri]] = np.arange(K, K + n_new, dtype=np.int64)
        new_cls = mapping[old * nv + self.sidx[ev.p]]
        rec.new_cls = new_cls
        self.cls[sup] = new_cls

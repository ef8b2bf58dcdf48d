"""Fast, exact Method of Equal Shares (MES) and its Add1 completion.

How it stays exact while running in float64
-------------------------------------------
Every voter starts with the same budget ``t``. A voter's budget only changes when she pays for a
funded project, so voters fall into few *budget classes*: two voters with the same payment
history hold exactly the same budget. Each class keeps its budget as a float together with a
rigorous bound on the rounding error of that float. Every decision MES takes (is a project
affordable? which supporters pay in full and which pay all they have left? which project has the
smallest ``rho``?) compares floats whose error bounds are known: when the gap exceeds the bounds
the float answer is provably the exact answer; otherwise (ties, near-ties) the engine recomputes
the decisive quantities with :class:`fractions.Fraction` from the recorded history (the exact
budget of a class is the exact budget of its parent class minus the exact price it paid). The
outcome is therefore the exact one, identical to pabutools' rational implementation, while
nearly all arithmetic is float.

How Add1 stays fast
-------------------
Add1 reruns MES with ``t, t + 1, t + 2, ...`` (up to thousands of times). For a fixed sequence of
decisions every budget and every ``rho`` is an *affine* function of ``t``, so the engine also
tracks the slope ``d/dt`` of each quantity (with its own error bound). For every round it records
(lazily) up to which increment its decisions provably stay the same: the winner's split of its
supporters, and every other project's lower bound staying above the winner's ``rho`` (or the
project staying unaffordable). A rerun at a larger increment keeps the rounds still valid,
recomputes an invalid round in place (its old winner evaluated first) and keeps the following
rounds when that round funds the same project with the same split, since every later budget is
then the same affine function of ``t``; otherwise it recomputes the rest. When no round can
change, the rerun is skipped. Validity is certified conservatively and every recomputed round is
decided exactly, so the result equals rerunning MES from scratch at every increment, as
pabutools does.

Lower bounds (as in pabutools, plus one trick): a project's ``rho`` can only grow as budgets
shrink, so the last computed value is a lower bound, and a project is only re-evaluated while
its bound is below the best ``rho`` of the round. Moreover, for *any* division of a project's
supporters into "pays all she has" and "pays the full share", ``(cost - money of the former) /
(utility units of the latter)`` is a lower bound; the project's last division with the current
budgets refreshes its bound for the price of one gather. The same argument shows that a
project's ``rho`` is a convex function of ``t``, so outdated affine pieces stay valid bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import _kernels
from .profile import Profile

__all__ = ["MESEngine", "MESStats"]

_U = 2.0**-53  # unit roundoff of float64
_INF = math.inf
#: Binary utilities use the compiled kernels; False selects the numpy path (tests).
_COMPILED = True
_SCAN = 96  # bins up to which the root is found by a plain-Python scan
_SHRINK = 1.0 - 16 * _U  # applied to every certified distance (rounding of the division)
_DEAD = 0  # class of the voters with no budget left (exactly 0)
_CUR, _ERR, _SLOPE, _ESLOPE, _ASLOPE = range(5)  # columns of the class table
_V, _S, _K, _E0, _E1 = range(5)  # rows of the lower-bound table
_INIT = 1  # class of the voters who have paid nothing yet (budget exactly t)


def _crossing(g0: float, e0: float, g1: float, e1: float) -> float:
    """How far ``t`` may grow while ``g(t) = g0 + g1 * dt`` provably stays positive.

    ``g0`` and ``g1`` are float approximations within ``e0`` and ``e1`` of the exact values.
    """
    lo = g0 - e0
    if lo <= 0.0:
        return 0.0
    slope = g1 - e1
    if slope >= 0.0:
        return _INF
    return lo / -slope * _SHRINK


def _crossings(lo: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Vector form of :func:`_crossing` given ``lo = g0 - e0`` and ``slope = g1 - e1``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(slope >= 0.0, _INF, lo / -slope * _SHRINK)
    return np.where(lo <= 0.0, 0.0, d)


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


class _Eval:
    """One evaluation of a project in a round: float values, error bounds and slopes.

    Bins are the (budget class, satisfaction) pairs of the project's live supporters;
    ``order`` sorts them by budget per unit of satisfaction and the first ``npoor`` of that
    order pay everything they have left, the others pay ``pi`` per unit of satisfaction.
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


class _Round:
    """What is needed to undo a round, to replay it exactly and to know how long it holds."""

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
        "xpi",
    )


class MESEngine:
    """Method of Equal Shares on a compiled :class:`~.profile.Profile`.

    ``rank[p]`` is the tie-breaking rank (lower wins ties). :meth:`run` computes the outcome
    when every voter starts with ``budget / n_voters + k`` currency units; successive calls with
    growing ``k`` reuse earlier work (Add1). ``exact=True`` decides everything with Fractions
    (slow; for tests). ``track=False`` skips the bookkeeping that only reruns need.
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
        lb0 = np.full(n_projects, _INF)
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
        self.kern = _kernels.Tables(prof.sup, self.msup, self.nsup, prof.costs, prof.kappa, track)
        self.k: int | None = None
        self.split: list[tuple[np.ndarray, np.ndarray, float] | None] = [None] * n_projects
        self.rounds: list[_Round] = []
        self.selected: list[int] = []

    # ------------------------------------------------------------------ state handling

    def _reset(self) -> None:
        self.cls = np.full(self.prof.n_groups, _INIT, dtype=np.int64)
        cap = 256
        self.K = 2
        # Class table, one row per budget class (row-major: one gather fetches a class):
        # budget now, its error bound, d budget / d t, that slope's error bound, |slope|.
        self.tab = np.zeros((cap, 5))
        self.curv = np.zeros(cap)  # contiguous copy of the budget column
        self.c_vref = np.zeros(cap)  # budget at increment c_kref ...
        self.c_kref = np.zeros(cap)
        self.c_eref = np.zeros(cap)  # ... and its error bound
        self.tab[_INIT, _SLOPE] = 1.0
        self.tab[_INIT, _ASLOPE] = 1.0
        self.c_parent = [0, 0]
        self.c_round = [-1, -1]
        self.c_s = [0, 0]
        self._bind()
        n = self.n_projects
        # Lower bound of each project's rho: value at increment row _K, slope, error bounds.
        self.lb = np.zeros((5, n))
        self.lb[_V] = self.lb0
        self.lb[_E0] = np.where(np.isfinite(self.lb0), self.lb0 * (2 * _U), 0.0)
        self.alive = np.zeros(n, dtype=bool)  # may still be funded (not known unaffordable)
        self.alive[self.cands] = True
        self.pending = self.alive.copy()  # not funded yet
        self.ku = np.full(n, _INF)  # removed as unaffordable: stays so below this increment
        self.rounds = []
        self.selected = []

    def _set_k(self, k: int) -> None:
        """Move every existing class (and the exact memo) to increment ``k``."""
        self.k = k
        self.tx = self.t0 + k * self.scale
        tf = float(self.tx)
        K = self.K
        self.c_vref[_INIT] = tf
        self.c_kref[_INIT] = k
        self.c_eref[_INIT] = _U * tf
        tab = self.tab
        dt = (k - self.c_kref[:K]) * self.scale
        vref = self.c_vref[:K]
        moved = tab[:K, _SLOPE] * dt
        tab[:K, _CUR] = vref + moved
        tab[:K, _ERR] = (
            self.c_eref[:K]
            + tab[:K, _ESLOPE] * np.abs(dt)
            + 2 * _U * (np.abs(vref) + np.abs(moved))
        )
        self.curv[:K] = tab[:K, _CUR]
        self.kern.errmax = float(tab[:K, _ERR].max())
        self.kern.eslopemax = float(tab[:K, _ESLOPE].max())
        self.kern.aslopemax = float(tab[:K, _ASLOPE].max())
        self.xb: dict[int, Fraction] = {_DEAD: Fraction(0), _INIT: self.tx}
        self.xpi: dict[int, Fraction] = {}
        for j, r in enumerate(self.rounds):
            if r.xpi is not None and r.xpi[0] == k:
                self.xpi[j] = r.xpi[1]

    def _grow(self, need: int) -> None:
        cap = len(self.c_vref)
        if need <= cap:
            return
        new = max(need, 2 * cap)
        tab = np.zeros((new, 5))
        tab[:cap] = self.tab
        self.tab = tab
        for name in ("c_vref", "c_kref", "c_eref", "curv"):
            arr = np.zeros(new)
            arr[:cap] = getattr(self, name)
            setattr(self, name, arr)
        self._bind()

    def _bind(self) -> None:
        """Show the (new) class arrays to the compiled kernels."""
        self.kern.bind(self.tab, self.cls, self.curv, self.c_vref, self.c_eref, self.c_kref)

    # ------------------------------------------------------------------ exact values

    def _exact_budget(self, k: int) -> Fraction:
        """Exact budget of class ``k`` at the current increment (memoised, no recursion)."""
        xb, xpi = self.xb, self.xpi
        if k in xb:
            return xb[k]
        stack: list[tuple[bool, int]] = [(True, k)]
        while stack:
            is_class, x = stack[-1]
            if is_class:
                if x in xb:
                    stack.pop()
                    continue
                parent, j = self.c_parent[x], self.c_round[x]
                missing = []
                if parent not in xb:
                    missing.append((True, parent))
                if j not in xpi:
                    missing.append((False, j))
                if missing:
                    stack.extend(missing)
                    continue
                xb[x] = xb[parent] - self.c_s[x] * xpi[j]
            else:
                if x in xpi:
                    stack.pop()
                    continue
                r = self.rounds[x]
                missing = [(True, kk) for kk, _, _ in self.poor_of(r) if kk not in xb]
                if missing:
                    stack.extend(missing)
                    continue
                paid = sum(n * xb[kk] for kk, n, _ in self.poor_of(r))
                xpi[x] = Fraction(self.costs[r.w] - paid) / r.r_units
            stack.pop()
        return xb[k]

    def exact_pi(self, j: int) -> Fraction:
        """Exact payment per unit of satisfaction in round ``j`` (scaled money)."""
        if j not in self.xpi:
            r = self.rounds[j]
            paid = sum(n * self._exact_budget(k) for k, n, _ in self.poor_of(r))
            self.xpi[j] = Fraction(self.costs[r.w] - paid) / r.r_units
        return self.xpi[j]

    def exact_class_budget(self, k: int) -> Fraction:
        """Exact budget (scaled money) of every voter of budget class ``k`` now."""
        return self._exact_budget(k)

    def supporters_budget(self, p: int) -> Fraction:
        """Exact money (scaled) the supporters of project ``p`` hold now."""
        groups = self.prof.sup[p]
        cl = self.cls[groups].tolist()
        mult = self.prof.mult[groups].tolist()
        total = Fraction(0)
        for c, m in zip(cl, mult, strict=True):
            if c != _DEAD:
                total += m * self._exact_budget(c)
        return total

    # ------------------------------------------------------------------ one evaluation

    def _bins(self, p: int, ev: _Eval, cl: np.ndarray | None = None) -> None:
        """Live budget classes among the supporters of ``p`` with their voter counts."""
        if cl is None:
            cl = self.cls[self.prof.sup[p]]
        if self.binary:
            if 8 * len(cl) < self.K:
                # Few supporters among many classes: sort them instead of scanning all classes.
                o = np.argsort(cl, kind="stable")
                sc = cl[o]
                first = np.empty(len(sc), dtype=bool)
                first[0] = True
                np.not_equal(sc[1:], sc[:-1], out=first[1:])
                starts = np.flatnonzero(first)
                nz = sc[starts]
                ns = np.add.reduceat(self.msup[p][o], starts)
                if nz[0] == _DEAD:
                    nz, ns = nz[1:], ns[1:]
            else:
                cnt = np.bincount(cl, weights=self.msup[p], minlength=self.K)
                cnt[_DEAD] = 0.0
                nz = np.flatnonzero(cnt)
                ns = cnt[nz]
            ev.ks = nz
            ev.ns = ns
            ev.ss = None
            ev.keys = nz
            return
        nv = len(self.svals[p])
        cnt = np.bincount(cl * nv + self.sidx[p], weights=self.msup[p], minlength=self.K * nv)
        cnt[:nv] = 0.0
        nz = np.flatnonzero(cnt)
        ev.ks = nz // nv
        ev.ns = cnt[nz]
        ev.ss = self.svals_f[p][nz % nv]
        ev.keys = nz

    def _evaluate(self, p: int) -> _Eval:
        self.stats.evaluations += 1
        ev = _Eval()
        ev.p = p
        ev.xpi = None
        ev.delta = None
        c = self.costs[p]
        if self.force_exact:
            self._bins(p, ev)
            return self._evaluate_exact(ev)
        # Cheap test first: many evaluations only find that the supporters cannot pay. Only
        # the budget column is gathered; rounding errors are bounded with the largest error
        # bound of any class (tiny next to the budgets, so the test is rarely inconclusive).
        cl = self.cls[self.prof.sup[p]]
        n = len(cl)
        total = float(self.msup[p] @ self.curv[cl])
        voters = self.nsup[p]
        total_err = self.kern.errmax * voters + (n + 2) * _U * total + _U * c
        if c - total > total_err:
            ev.afford = False
            if self.track:
                slope = -float(self.msup[p] @ self.tab[cl, _SLOPE])
                slope_err = (self.kern.eslopemax + (n + 2) * _U * self.kern.aslopemax) * voters
                ev.delta = _crossing(c - total, total_err, slope, slope_err)
            return ev
        self._bins(p, ev, cl)
        if total - c <= total_err:
            return self._evaluate_exact(ev)
        ks, ns, ss = ev.ks, ev.ns, ev.ss
        rows = self.tab[ks]
        b = rows[:, _CUR]
        m = len(ks)
        # Root of sum(min(b, pi * s)) = c: scan supporters by budget per satisfaction unit.
        if ss is None:
            order = np.argsort(b, kind="stable")
            units = float(ns.sum())
        else:
            order = np.argsort(b / ss, kind="stable")
            units = float(ns @ ss)
        paid = 0.0
        npoor = m
        pi = 0.0
        if m <= _SCAN:
            ol = order.tolist()
            bl = b.tolist()
            nl = ns.tolist()
            sl = None if ss is None else ss.tolist()
            for idx, i in enumerate(ol):
                pi = (c - paid) / units
                s = 1.0 if sl is None else sl[i]
                if pi * s <= bl[i]:
                    npoor = idx
                    break
                paid += nl[i] * bl[i]
                units -= nl[i] * s
        else:
            # Many bins: sorted arrays once, a short scan in Python (usually enough), else a
            # vectorised scan: pi_j is monotone along the order, the first j that works wins.
            ol = order
            bo = b[order]
            no = ns[order]
            so = None if ss is None else ss[order]
            head = zip(
                bo[:8].tolist(),
                no[:8].tolist(),
                [1.0] * 8 if so is None else so[:8].tolist(),
                strict=True,
            )
            for idx, (bi, ni, si) in enumerate(head):
                pi = (c - paid) / units
                if pi * si <= bi:
                    npoor = idx
                    break
                paid += ni * bi
                units -= ni * si
            else:
                sv = 1.0 if so is None else so
                paid_ex = np.cumsum(no * bo)
                paid_ex = np.concatenate(([0.0], paid_ex[:-1]))
                units_ex = np.cumsum((no * sv)[::-1])[::-1]
                pis = (c - paid_ex) / units_ex
                ok = pis * sv <= bo
                j = int(ok.argmax())
                if ok[j]:
                    npoor = j
                    pi = float(pis[j])
                    paid = float(paid_ex[j])
                    units = float(units_ex[j])
        if npoor == m:  # only reachable through rounding: decide exactly
            return self._evaluate_exact(ev)
        if npoor:
            poor = order[:npoor]
            agg = ns[poor] @ rows[poor]
            paid_err = float(agg[_ERR]) + (npoor + 2) * _U * paid
            dpi = -float(agg[_SLOPE]) / units
            dpi_err = (float(agg[_ESLOPE]) + (npoor + 2) * _U * float(agg[_ASLOPE])) / units
        else:
            paid_err = dpi = dpi_err = 0.0
        pi_err = (paid_err + 2 * _U * (c + paid)) / units + 2 * _U * pi
        dpi_err += 2 * _U * abs(dpi)
        # Certify the split (poor: b < pi*s, rich: b >= pi*s) beyond the error bounds: a quick
        # test on the two bins around the threshold with the largest error bound of all bins,
        # the per-bin test only when that is not enough.
        smax = 1.0 if ss is None else float(ss.max())
        slack = float(rows[:, _ERR].max()) + smax * pi_err + 2 * _U * (pi * smax + float(b.max()))
        i_rich = int(ol[npoor])
        near = float(b[i_rich]) - pi * (1.0 if ss is None else float(ss[i_rich]))
        if npoor:
            i_poor = int(ol[npoor - 1])
            near = min(near, pi * (1.0 if ss is None else float(ss[i_poor])) - float(b[i_poor]))
        if near <= slack:
            margins = _split_margins(rows, ss, order, npoor, pi, pi_err)
            if float(margins.min()) <= 0.0:
                return self._evaluate_exact(ev)
        if self.track:
            ev.delta = (rows, ss, order, npoor, pi, pi_err, dpi, dpi_err)
        ev.order = ol
        return self._priced(ev, npoor, units, pi, pi_err, dpi, dpi_err)

    def _priced(self, ev: _Eval, npoor, units, pi, pi_err, dpi, dpi_err) -> _Eval:
        """Complete a certified float evaluation: its split, ``pi`` and ``rho`` (per unit of
        ``kappa``) with their slopes and error bounds."""
        kap = self.kappa[ev.p]
        ev.afford = True
        ev.npoor = npoor
        ev.r_units = round(units)
        ev.pi = pi
        ev.pi_err = pi_err
        ev.dpi = dpi
        ev.dpi_err = dpi_err
        ev.rho = pi / kap
        ev.rho_err = pi_err / kap + 2 * _U * ev.rho
        ev.drho = dpi / kap
        ev.drho_err = dpi_err / kap + 2 * _U * abs(ev.drho)
        return ev

    def _evaluate_exact(self, ev: _Eval) -> _Eval:
        """Exact evaluation (ties and near-ties): Fractions from the recorded history."""
        self.stats.exact_evaluations += 1
        p = ev.p
        c = self.costs[p]
        ks = _as_list(ev.ks)
        ns = [round(n) for n in _as_list(ev.ns)]
        sv = [1] * len(ks) if ev.ss is None else [round(s) for s in ev.ss.tolist()]
        xb = [self._exact_budget(k) for k in ks]
        total = sum(n * b for n, b in zip(ns, xb, strict=True))
        rows = self.tab[np.asarray(ks, dtype=np.int64)]
        a = rows[:, _SLOPE].tolist()
        ea = rows[:, _ESLOPE].tolist()
        if total < c:
            gap = float(c - total)
            return self._unaffordable(ev, gap, 2 * _U * abs(gap))
        m = len(ks)
        order = sorted(range(m), key=lambda i: xb[i] / sv[i])
        paid = Fraction(0)
        units = sum(n * s for n, s in zip(ns, sv, strict=True))
        npoor = m
        xpi = Fraction(0)
        for idx, i in enumerate(order):
            xpi = (c - paid) / units
            if xpi * sv[i] <= xb[i]:
                npoor = idx
                break
            paid += ns[i] * xb[i]
            units -= ns[i] * sv[i]
        poor = order[:npoor]
        slope_sum = sum(ns[i] * a[i] for i in poor)
        slope_abs = sum(ns[i] * abs(a[i]) for i in poor)
        dpi = -slope_sum / units
        dpi_err = (sum(ns[i] * ea[i] for i in poor) + (npoor + 2) * _U * slope_abs) / units
        dpi_err += 2 * _U * abs(dpi)
        delta = _INF
        for idx, i in enumerate(order):
            s = sv[i]
            xgap = xpi * s - xb[i]
            slope = dpi * s - a[i]
            if idx >= npoor:
                xgap, slope = -xgap, -slope
            gap = float(xgap)
            sbound = ea[i] + s * dpi_err + 2 * _U * (abs(a[i]) + s * abs(dpi))
            delta = min(delta, _crossing(gap, 2 * _U * abs(gap), slope, sbound))
        kap = self.kappa[p]
        ev.afford = True
        ev.order = order
        ev.npoor = npoor
        ev.r_units = units
        ev.xpi = xpi
        ev.pi = float(xpi)
        ev.pi_err = 2 * _U * ev.pi
        ev.dpi = dpi
        ev.dpi_err = dpi_err
        ev.rho = float(xpi / kap)
        ev.rho_err = 2 * _U * ev.rho
        ev.drho = dpi / kap
        ev.drho_err = dpi_err / kap + 2 * _U * abs(ev.drho)
        ev.delta = delta
        return ev

    def _unaffordable(self, ev: _Eval, gap: float, gap_err: float) -> _Eval:
        """``ev`` cannot be paid for; record how long that provably lasts as ``t`` grows."""
        agg = np.asarray(ev.ns) @ self.tab[np.asarray(ev.ks, dtype=np.int64)]
        slope_err = float(agg[_ESLOPE]) + (len(ev.ks) + 2) * _U * float(agg[_ASLOPE])
        ev.afford = False
        ev.delta = _crossing(gap, gap_err, -float(agg[_SLOPE]), slope_err)
        return ev

    def _exact_rho(self, ev: _Eval) -> Fraction:
        """Exact rho of an evaluation whose split is certified (only poor budgets needed)."""
        if ev.xpi is None:
            poor = ev.order[: ev.npoor]
            ks = _as_list(ev.ks)
            ns = _as_list(ev.ns)
            paid = sum(round(ns[i]) * self._exact_budget(ks[i]) for i in poor)
            ev.xpi = (self.costs[ev.p] - paid) / Fraction(ev.r_units)
        return ev.xpi / self.kappa[ev.p]

    # ------------------------------------------------------------------ rounds

    def _lower_bounds(self, lb: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Lower bounds of every rho at increment ``k`` and their error bounds."""
        dt = (k - lb[_K]) * self.scale
        moved = lb[_S] * dt
        value = lb[_V] + moved
        err = lb[_E0] + lb[_E1] * np.abs(dt) + 2 * _U * (np.abs(lb[_V]) + np.abs(moved))
        return value, err

    def _refresh_low(self) -> None:
        # Projects MES never considers have an infinite bound (inf - inf: nan, never read).
        with np.errstate(invalid="ignore"):
            value, err = self._lower_bounds(self.lb, self.k)
            self.low = value - err

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

    def _new_round(self) -> _Round:
        """Record for a round starting now, with a snapshot of the state it starts from."""
        rec = _Round()
        rec.k = self.k
        rec.k_start = self.K
        rec.xpi = None
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

    def _pick(self, hint: int) -> tuple[_Eval, list[_Eval]] | None:
        """The winner of the round and its exact ties (None: MES stops); ``hint`` first."""
        if self.binary and _COMPILED:
            return self._choose_compiled(hint)
        return self._choose(self._first(hint))

    def _choose_compiled(self, hint: int) -> tuple[_Eval, list[_Eval]] | None:
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
            ev = _Eval()
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

    def _found(self, out: tuple) -> _Eval:
        """An :class:`_Eval` from a certified evaluation of the compiled kernel."""
        ev = _Eval()
        p, ks, ns, npoor, units, pi, pi_err, dpi, dpi_err, dist = out
        ev.p, ev.xpi = p, None
        ev.ks = ev.keys = ks
        ev.ns, ev.ss = ns, None
        ev.delta = dist if self.track else None
        ev.order = range(len(ks))  # the kernel returns the bins in split order
        return self._priced(ev, npoor, units, pi, pi_err, dpi, dpi_err)

    def _bound_from(self, ev: _Eval) -> float:
        """Record an affordable evaluation's ``rho`` as its project's lower bound (its tangent
        at this increment); return the upper end of ``rho``'s error interval."""
        p = ev.p
        self.lb[:, p] = (ev.rho, ev.drho, self.k, ev.rho_err, ev.drho_err)
        self.low[p] = ev.rho - (ev.rho_err + 2 * _U * abs(ev.rho))
        return ev.rho + ev.rho_err

    def _settle(self, evals: list[_Eval]) -> tuple[_Eval, list[_Eval]] | None:
        """The round's winner among ``evals`` and its exact ties (None when there is none);
        the losers' splits are kept to refresh their bounds later."""
        if not evals:
            return None
        win, tied = self._winner(evals)
        for ev in evals:
            if ev is not win and ev.npoor:
                self._remember_split(ev)
        return win, tied

    def _choose(self, first: _Eval | None = None) -> tuple[_Eval, list[_Eval]] | None:
        """Lazy evaluation of the live projects; the winner and exact ties, or None.

        ``first`` is an evaluation already made this round (the likely winner), which lets
        the others be pruned by their bounds right away.
        """
        evals: list[_Eval] = []
        best_hi = _INF
        if first is not None:
            evals.append(first)
            best_hi = self._bound_from(first)
        # Only projects whose bound is below the best known rho can matter, in bound order.
        split = self.split
        skip = -1 if first is None else first.p
        ranked = _kernels.ranked(self.alive.view(np.uint8), self.low, best_hi)
        for p, low_p in zip(*ranked, strict=True):
            if low_p > best_hi:
                break
            if p == skip:
                continue
            if split[p] is not None and best_hi < _INF and self._refresh(p) > best_hi:
                continue
            ev = self._evaluate(p)
            if not ev.afford:
                self._set_unaffordable(ev)
                continue
            evals.append(ev)
            best_hi = min(best_hi, self._bound_from(ev))
        return self._settle(evals)

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

    def _remember_split(self, ev: _Eval) -> None:
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

    def _terminate(self, rec: _Round) -> None:
        """MES stops: every project not funded must stay unaffordable."""
        rec.w = -1
        pend = self.pending
        if not self.track:
            rec.kmax = -_INF
        else:
            rec.kmax = float(self.ku[pend].min()) if pend.any() else _INF
        self.rounds.append(rec)

    def _describe(self, rec: _Round, win: _Eval, tied: list[_Eval]) -> None:
        """Store the winner's data needed to know how long this round stays valid."""
        # Only the winner's split must persist: it fixes the budgets after this round. A losing
        # project's rho is a convex function of t (the lower boundary of the convex set where
        # its supporters can pay), so the affine piece computed now stays a valid lower bound
        # for every t even after its own split changes.
        rec.checks = [(win.p, win.delta)]
        rec.win = (win.rho, win.rho_err, win.drho, win.drho_err)
        rec.tied = [ev.p for ev in tied]

    def _kmax(self, j: int) -> float:
        """Increment below which round ``j`` provably takes the same decisions (lazy)."""
        rec = self.rounds[j]
        if rec.kmax is None:
            self._kmax_compute(rec, self.rounds[j + 1])
        return rec.kmax

    def _kmax_compute(self, rec: _Round, nxt: _Round) -> None:
        if not self.track:
            rec.kmax = -_INF
            return
        kmax = rec.k + self._split_dist(rec) / self.scale
        rec.kmax = min(kmax, self._certificate(rec, nxt))

    def _certificate(self, rec: _Round, after: _Round) -> float:
        """Increment below which no other project can beat round ``rec``'s winner.

        ``after`` is the next round, whose snapshot holds the state at the end of ``rec``.
        """
        return self._certificate_from(rec, after.lb, after.pending, after.alive, after.ku)

    def _certificate_from(self, rec, lb, others, alive, ku) -> float:
        """A project loses if its lower bound stays above the winner's rho or (for a project
        removed as unaffordable) if it stays unaffordable: the better of the two counts.
        ``others`` are the projects still pending once the winner is funded."""
        return _kernels.certificate(
            lb,
            others.view(np.uint8),
            alive.view(np.uint8),
            ku,
            rec.k,
            self.scale,
            *rec.win,
            rec.tied,
        )

    def _winner(self, evals: list[_Eval]) -> tuple[_Eval, list[_Eval]]:
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

    def _fund(self, ev: _Eval, tied: list[_Eval], rec: _Round) -> None:
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
            rec.xpi = (self.k, ev.xpi)
        if self.binary:
            self._fund_compiled(ev, rec, j)
        else:
            self._fund_points(ev, rec, j)
        self.alive[p] = False
        self.pending[p] = False
        self.selected.append(p)
        self.rounds.append(rec)

    def _in_order(self, ev: _Eval) -> tuple[np.ndarray, np.ndarray]:
        """A binary evaluation's bins (classes, voters) in split order: poor ones first."""
        if isinstance(ev.order, range):  # compiled evaluation: already in split order
            return ev.ks, ev.ns
        o = np.asarray(ev.order, dtype=np.int64)
        return np.asarray(ev.ks, dtype=np.int64)[o], np.asarray(ev.ns, dtype=np.float64)[o]

    def _fund_compiled(self, ev: _Eval, rec: _Round, j: int) -> None:
        """Binary utilities: every rich bin pays ``pi`` and becomes a class (compiled)."""
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

    def _fund_points(self, ev: _Eval, rec: _Round, j: int) -> None:
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
        b = src[:, _CUR]
        self._grow(K + n_new)
        rows = self.tab[K : K + n_new]
        s_r = ss[ri]
        pay = pi * s_r
        rows[:, _CUR] = b - pay
        rows[:, _ERR] = src[:, _ERR] + s_r * pe + 2 * _U * (np.abs(b) + pay)
        rows[:, _SLOPE] = src[:, _SLOPE] - dpi * s_r
        rows[:, _ESLOPE] = src[:, _ESLOPE] + s_r * dpe + 2 * _U * (src[:, _ASLOPE] + s_r * abs(dpi))
        rows[:, _ASLOPE] = np.abs(rows[:, _SLOPE])
        if n_new:
            self.kern.errmax = max(self.kern.errmax, float(rows[:, _ERR].max()))
            self.kern.eslopemax = max(self.kern.eslopemax, float(rows[:, _ESLOPE].max()))
            self.kern.aslopemax = max(self.kern.aslopemax, float(rows[:, _ASLOPE].max()))
        self.curv[K : K + n_new] = rows[:, _CUR]
        new = slice(K, K + n_new)
        self.c_vref[new] = rows[:, _CUR]
        self.c_eref[new] = rows[:, _ERR]
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
        mapping[ev.keys[o[:npoor]]] = _DEAD
        mapping[ev.keys[ri]] = np.arange(K, K + n_new, dtype=np.int64)
        new_cls = mapping[old * nv + self.sidx[ev.p]]
        rec.new_cls = new_cls
        self.cls[sup] = new_cls

    def poor_of(self, rec: _Round) -> list[tuple[int, int, int]]:
        """``(class, voters, satisfaction)`` of the bins that paid all they had in ``rec``."""
        if rec.poor is None:
            ks, ns, ss, order, npoor = rec.bins
            ksl, nsl = _as_list(ks), _as_list(ns)
            ssl = None if ss is None else ss.tolist()
            rec.poor = [
                (int(ksl[i]), round(nsl[i]), 1 if ssl is None else round(ssl[i]))
                for i in order[:npoor]
            ]
        return rec.poor

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
            return self.free + self.selected
        elif k != self.k:
            self._warm(k)
            return self.free + self.selected
        else:
            return self.free + self.selected
        while self._round():
            pass
        return self.free + self.selected

    def _first_invalid(self, k: int) -> int | None:
        best = _INF
        for j in range(len(self.rounds)):
            best = min(best, self._kmax(j))
            if not k < best:
                return j
        return None

    def next_change(self) -> float:
        """The outcome provably stays the same for every increment below this value."""
        return min((self._kmax(j) for j in range(len(self.rounds))), default=_INF)

    def next_increment(self) -> int:
        """Smallest increment above the current one whose outcome may differ.

        Checks the next increment first, so that validity is only computed for the rounds
        that are kept when a rerun is needed anyway.
        """
        assert self.k is not None
        if self._first_invalid(self.k + 1) is not None:
            return self.k + 1
        nxt = self.next_change()
        if nxt == _INF:
            raise RuntimeError("MES outcome never changes as budgets grow (Add1 would not stop)")
        return max(self.k + 1, math.ceil(nxt))

    def _warm(self, k: int) -> None:
        """Rerun at a larger increment ``k``, reusing every round that provably stays the same.

        Rounds before the first invalid one are kept. From there the old rounds guide the
        recomputation: an old round still valid is kept; an invalid one is recomputed in
        place, evaluating its old winner first. If it funds the same project with the same
        split of its supporters, every budget after it is the same affine function of ``t``
        as before, so the later rounds are kept (and checked in turn); otherwise the rest of
        the run is computed afresh.
        """
        rounds = self.rounds
        j = self._first_invalid(k)
        if j is None:
            self.k = k
            self.stats.runs_skipped += 1
            self.stats.rounds_reused += len(rounds)
            return
        self.stats.rounds_reused += j
        sup = self.prof.sup
        for r in reversed(rounds[j:]):
            if r.old_cls is not None:
                self.cls[sup[r.w]] = r.old_cls
        self._set_k(k)
        old = rounds[j:]
        del rounds[j:]
        del self.selected[j:]
        for i in [i for i in self.xpi if i >= j]:
            del self.xpi[i]
        for idx, rec in enumerate(old):
            nxt = old[idx + 1] if idx + 1 < len(old) else None
            if idx > 0 and nxt is not None and k < self._kmax_of(rec, nxt):
                self.stats.rounds_reused += 1
                self._reuse(rec)
                continue
            self.stats.rounds_computed += 1
            self._load(rec, k)
            new = self._new_round()
            choice = self._pick(rec.w)
            if choice is None:
                self._drop_classes(rec.k_start)
                new.k_start = self.K
                self._terminate(new)
                return
            win, tied = choice
            if win.p == rec.w and self._same_split(rec, win):
                # Same funding: keep the round and the classes it created.
                self._describe(rec, win, tied)
                rec.k, rec.kmax, rec.xpi = k, None, None
                rec.lb, rec.alive, rec.ku, rec.pending = new.lb, new.alive, new.ku, new.pending
                if win.xpi is not None:
                    self.xpi[len(rounds)] = win.xpi
                    rec.xpi = (k, win.xpi)
                if nxt is not None:
                    self._carry_bounds(nxt)
                self._reuse(rec)
                continue
            # The old run no longer helps: compute the rest from here.
            self._drop_classes(rec.k_start)
            new.k_start = self.K
            self._fund(win, tied, new)
            for later in old[idx + 1 :]:
                if not self._round(later.w):
                    return
            while self._round():
                pass
            return

    def _carry_bounds(self, nxt: _Round) -> None:
        """Hand the bounds just computed in a kept round to the snapshot of the next round.

        The next round's snapshot is the state its predecessor ends in, and the certificate
        of the kept round reads it. Its bounds date from the run that last computed the round;
        the evaluations made now, at a larger increment, are tangents at the current budgets
        and usually certify much further. Both are valid lower bounds for the same history
        (the round funded the same project with the same split), so the more recent one is
        kept. Likewise a project found unaffordable now stays so after the round (budgets
        only shrink), below the increment found.
        """
        lb = nxt.lb
        newer = self.lb[_K] > lb[_K]
        lb[:, newer] = self.lb[:, newer]
        dead = nxt.alive & self.pending & ~self.alive
        nxt.alive[dead] = False
        nxt.ku[dead] = self.ku[dead]

    def _first(self, p: int) -> _Eval | None:
        """Evaluate the likely winner ``p`` if it may still be funded and can pay (else None)."""
        if p < 0 or not self.alive[p]:
            return None
        ev = self._evaluate(p)
        if ev.afford:
            return ev
        self._set_unaffordable(ev)
        return None

    def _set_unaffordable(self, ev: _Eval) -> None:
        """``ev``'s project cannot be paid for: out of this run, below the increment found."""
        self.alive[ev.p] = False
        self.ku[ev.p] = self.k + ev.delta / self.scale if self.track else self.k

    def _split_dist(self, rec: _Round) -> float:
        dist = _INF
        for _, d in rec.checks:
            if isinstance(d, tuple):
                d = _split_distance(*d)
            dist = min(dist, d)
        rec.checks = [(rec.w, dist)]
        return dist

    def _drop_classes(self, k_start: int) -> None:
        """Forget the classes created from ``k_start`` on (only unused ones may be dropped)."""
        if k_start >= self.K:
            return
        self.K = k_start
        del self.c_parent[k_start:]
        del self.c_round[k_start:]
        del self.c_s[k_start:]

    def _reuse(self, rec: _Round) -> None:
        """Apply an old round unchanged (its winner's supporters move to its classes)."""
        if rec.w >= 0:
            self.cls[self.prof.sup[rec.w]] = rec.new_cls
            self.alive[rec.w] = False
            self.pending[rec.w] = False
            self.selected.append(rec.w)
        self.rounds.append(rec)

    def _fresh(self, k: int) -> None:
        self._reset()
        self._set_k(k)
        self._refresh_low()
        while self._round():
            pass

    def _kmax_of(self, rec: _Round, nxt: _Round) -> float:
        if rec.kmax is None:
            self._kmax_compute(rec, nxt)
        return rec.kmax

    def _load(self, rec: _Round, k: int) -> None:
        """Project state (bounds, live and pending projects) at the start of ``rec`` for ``k``."""
        self.lb = rec.lb.copy()
        self.ku = rec.ku.copy()
        self.pending = rec.pending.copy()
        # Projects removed as unaffordable may have become affordable at increment k.
        self.alive = rec.alive | (self.pending & ~(k < self.ku))
        self.ku[self.alive] = _INF
        self._refresh_low()

    def _same_split(self, rec: _Round, win: _Eval) -> bool:
        if rec.split is None:
            rec.split = _split_keys(*rec.split_of)
        old_poor, old_rich = rec.split
        poor, rich = _split_keys(win.keys, win.order, win.npoor)
        if isinstance(poor, list) != isinstance(old_poor, list):
            return False
        if isinstance(poor, list):
            return poor == old_poor and rich == old_rich
        return np.array_equal(poor, old_poor) and np.array_equal(rich, old_rich)


def _split_margins(rows, ss, order, npoor, pi, pi_err) -> np.ndarray:
    """Per bin: by how much the certified side of the split beats its error bound."""
    b = rows[:, _CUR]
    sign = np.ones(len(b))
    sign[order[npoor:]] = -1.0
    pay = pi if ss is None else pi * ss
    sv = 1.0 if ss is None else ss
    return sign * (pay - b) - (rows[:, _ERR] + sv * pi_err + 2 * _U * (pay + np.abs(b)))


def _split_distance(rows, ss, order, npoor, pi, pi_err, dpi, dpi_err) -> float:
    """How far ``t`` may grow (money units) before a supporter could change side."""
    lo = _split_margins(rows, ss, order, npoor, pi, pi_err)
    a = rows[:, _SLOPE]
    sign = np.ones(len(a))
    sign[order[npoor:]] = -1.0
    if ss is None:
        bound = rows[:, _ESLOPE] + dpi_err + 2 * _U * (rows[:, _ASLOPE] + abs(dpi))
        slope = sign * (dpi - a) - bound
    else:
        bound = rows[:, _ESLOPE] + ss * dpi_err + 2 * _U * (rows[:, _ASLOPE] + ss * abs(dpi))
        slope = sign * (dpi * ss - a) - bound
    return float(_crossings(lo, slope).min())


def _as_list(x) -> list:
    return x if isinstance(x, list) else x.tolist()


def _split_keys(keys, order, npoor):
    """Sorted bin keys of the poor and of the rich side of a split (to compare splits)."""
    if isinstance(keys, list):
        return sorted(keys[i] for i in order[:npoor]), sorted(keys[i] for i in order[npoor:])
    if isinstance(order, range):  # compiled evaluation: bins already in split order
        return np.sort(keys[:npoor]), np.sort(keys[npoor:])
    o = np.asarray(order, dtype=np.int64)
    return np.sort(keys[o[:npoor]]), np.sort(keys[o[npoor:]])

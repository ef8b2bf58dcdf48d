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
up to which increment all of that round's decisions provably stay the same. A rerun at a larger
increment restores the state at the first round that might change and recomputes only from
there; when no round can change, the rerun is skipped. Validity is certified conservatively and
every recomputed round is decided exactly, so the result equals rerunning MES from scratch at
every increment, as pabutools does.

Lazy evaluation (as in pabutools): a project's ``rho`` can only grow as budgets shrink, so the
last computed value is a lower bound, and a project is only re-evaluated while its bound is
below the best ``rho`` of the round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .profile import Profile

__all__ = ["MESEngine", "MESStats"]

_U = 2.0**-53  # unit roundoff of float64
_INF = math.inf
_SMALL = 64  # supporter groups up to which plain Python beats numpy
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
        "checks",
        "new_cls",
        "poor_keys",
        "rich_keys",
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
        # Projects with few supporter groups are evaluated in plain Python (binary utilities).
        self.small = [prof.sat is None and len(s) <= _SMALL for s in prof.sup]
        self.msupl = [m.tolist() if small else [] for m, small in zip(self.msup, self.small, strict=True)]
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
        self.k: int | None = None
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
        self.c_vref = np.zeros(cap)  # budget at increment c_kref ...
        self.c_kref = np.zeros(cap)
        self.c_eref = np.zeros(cap)  # ... and its error bound
        self.tab[_INIT, _SLOPE] = 1.0
        self.tab[_INIT, _ASLOPE] = 1.0
        self.c_parent = [0, 0]
        self.c_round = [-1, -1]
        self.c_s = [0, 0]
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
            self.c_eref[:K] + tab[:K, _ESLOPE] * np.abs(dt) + 2 * _U * (np.abs(vref) + np.abs(moved))
        )
        self._mirror()
        self.xb: dict[int, Fraction] = {_DEAD: Fraction(0), _INIT: self.tx}
        self.xpi: dict[int, Fraction] = {}
        for j, r in enumerate(self.rounds):
            if r.xpi is not None and r.xpi[0] == k:
                self.xpi[j] = r.xpi[1]

    def _mirror(self) -> None:
        """Python-list copies of the class table for the plain-Python evaluations."""
        K = self.K
        self.curl = self.tab[:K, _CUR].tolist()
        self.errl = self.tab[:K, _ERR].tolist()
        self.slopel = self.tab[:K, _SLOPE].tolist()
        self.eslopel = self.tab[:K, _ESLOPE].tolist()

    def _grow(self, need: int) -> None:
        cap = len(self.c_vref)
        if need <= cap:
            return
        new = max(need, 2 * cap)
        tab = np.zeros((new, 5))
        tab[:cap] = self.tab
        self.tab = tab
        for name in ("c_vref", "c_kref", "c_eref"):
            arr = np.zeros(new)
            arr[:cap] = getattr(self, name)
            setattr(self, name, arr)

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
                missing = [(True, kk) for kk, _, _ in r.poor if kk not in xb]
                if missing:
                    stack.extend(missing)
                    continue
                paid = sum(n * xb[kk] for kk, n, _ in r.poor)
                xpi[x] = Fraction(self.costs[r.w] - paid) / r.r_units
            stack.pop()
        return xb[k]

    def exact_pi(self, j: int) -> Fraction:
        """Exact payment per unit of satisfaction in round ``j`` (scaled money)."""
        if j not in self.xpi:
            r = self.rounds[j]
            paid = sum(n * self._exact_budget(k) for k, n, _ in r.poor)
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
            if self.K > 8 * len(cl):
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
        if self.small[p]:
            return self._evaluate_small(p, ev)
        # Cheap test first: many evaluations only find that the supporters cannot pay.
        cl = self.cls[self.prof.sup[p]]
        sums = self.msup[p] @ self.tab[cl]
        total = float(sums[_CUR])
        total_err = float(sums[_ERR]) + (len(cl) + 2) * _U * total + _U * c
        if c - total > total_err:
            ev.afford = False
            if self.track:
                slope_err = float(sums[_ESLOPE]) + (len(cl) + 2) * _U * float(sums[_ASLOPE])
                ev.delta = _crossing(c - total, total_err, -float(sums[_SLOPE]), slope_err)
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
        ol = order.tolist()
        bl = b.tolist()
        nl = ns.tolist()
        sl = None if ss is None else ss.tolist()
        paid = 0.0
        npoor = m
        pi = 0.0
        for idx in range(m if m <= 96 else 8):
            i = ol[idx]
            pi = (c - paid) / units
            s = 1.0 if sl is None else sl[i]
            if pi * s <= bl[i]:
                npoor = idx
                break
            paid += nl[i] * bl[i]
            units -= nl[i] * s
        else:
            if m > 96:
                # Many supporters pay everything they have: vectorised scan of the rest.
                # pi_j is monotone along the order, so the first j that works is the root.
                bo = b[order]
                no = ns[order]
                so = 1.0 if ss is None else ss[order]
                paid_ex = np.cumsum(no * bo)
                paid_ex = np.concatenate(([0.0], paid_ex[:-1]))
                units_ex = np.cumsum((no * so)[::-1])[::-1]
                pis = (c - paid_ex) / units_ex
                ok = pis * so <= bo
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
        smax = 1.0 if sl is None else max(sl)
        slack = float(rows[:, _ERR].max()) + smax * pi_err + 2 * _U * (pi * smax + max(bl))
        i_rich = ol[npoor]
        near = bl[i_rich] - pi * (1.0 if sl is None else sl[i_rich])
        if npoor:
            i_poor = ol[npoor - 1]
            near = min(near, pi * (1.0 if sl is None else sl[i_poor]) - bl[i_poor])
        if near <= slack:
            margins = _split_margins(rows, ss, order, npoor, pi, pi_err)
            if float(margins.min()) <= 0.0:
                return self._evaluate_exact(ev)
        if self.track:
            ev.delta = (rows, ss, order, npoor, pi, pi_err, dpi, dpi_err)
        kap = self.kappa[p]
        ev.afford = True
        ev.order = ol
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

    def _evaluate_small(self, p: int, ev: _Eval) -> _Eval:
        """:meth:`_evaluate` in plain Python for a project with few supporter groups.

        With a few dozen supporters numpy's per-call overhead dominates; the arithmetic and
        error bounds are exactly those of the vectorised path.
        """
        c = self.costs[p]
        cnt: dict[int, float] = {}
        for g, m in zip(self.cls[self.prof.sup[p]].tolist(), self.msupl[p], strict=True):
            if g:
                cnt[g] = cnt.get(g, 0.0) + m
        cur, err = self.curl, self.errl
        ks = list(cnt)
        nl = list(cnt.values())
        bl = [cur[k] for k in ks]
        el = [err[k] for k in ks]
        m = len(ks)
        total = sum(n * b for n, b in zip(nl, bl, strict=True))
        total_err = sum(n * e for n, e in zip(nl, el, strict=True))
        total_err += (m + 2) * _U * total + _U * c
        if c - total > total_err:
            ev.afford = False
            if self.track:
                al = [self.slopel[k] for k in ks]
                slope = -sum(n * a for n, a in zip(nl, al, strict=True))
                slope_err = sum(n * self.eslopel[k] for n, k in zip(nl, ks, strict=True))
                slope_err += (m + 2) * _U * sum(n * abs(a) for n, a in zip(nl, al, strict=True))
                ev.delta = _crossing(c - total, total_err, slope, slope_err)
            return ev
        ev.ks = ks
        ev.ns = nl
        ev.ss = None
        ev.keys = ks
        if total - c <= total_err:
            return self._evaluate_exact(ev)
        order = sorted(range(m), key=bl.__getitem__)
        paid = 0.0
        units = float(sum(nl))
        npoor = m
        pi = 0.0
        for idx, i in enumerate(order):
            pi = (c - paid) / units
            if pi <= bl[i]:
                npoor = idx
                break
            paid += nl[i] * bl[i]
            units -= nl[i]
        if npoor == m:
            return self._evaluate_exact(ev)
        al = [self.slopel[k] for k in ks]
        eal = [self.eslopel[k] for k in ks]
        poor = order[:npoor]
        paid_err = sum(nl[i] * el[i] for i in poor) + (npoor + 2) * _U * paid
        pi_err = (paid_err + 2 * _U * (c + paid)) / units + 2 * _U * pi
        dpi = -sum(nl[i] * al[i] for i in poor) / units
        dpi_err = sum(nl[i] * eal[i] for i in poor)
        dpi_err += (npoor + 2) * _U * sum(nl[i] * abs(al[i]) for i in poor)
        dpi_err = dpi_err / units + 2 * _U * abs(dpi)
        # Certify the split (see _evaluate): quick test first, per bin only if needed.
        slack = max(el) + pi_err + 2 * _U * (pi + max(bl))
        near = bl[order[npoor]] - pi
        if npoor:
            near = min(near, pi - bl[order[npoor - 1]])
        if near <= slack:
            for idx, i in enumerate(order):
                gap = pi - bl[i] if idx < npoor else bl[i] - pi
                if gap <= el[i] + pi_err + 2 * _U * (pi + abs(bl[i])):
                    return self._evaluate_exact(ev)
        if self.track:
            ev.delta = (bl, el, al, eal, order, npoor, pi, pi_err, dpi, dpi_err)
        kap = self.kappa[p]
        ev.afford = True
        ev.order = order
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
        a = [self.slopel[k] for k in ks]
        ea = [self.eslopel[k] for k in ks]
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
        value, err = self._lower_bounds(self.lb, self.k)
        self.low = value - err

    def _round(self) -> bool:
        """Play one round at the current increment; return False when MES stops."""
        self.stats.rounds_computed += 1
        rec = self._new_round()
        choice = self._choose()
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

    def _choose(self) -> tuple[_Eval, list[_Eval]] | None:
        """Lazy evaluation of the live projects; the winner and exact ties, or None."""
        k = self.k
        low = self.low
        idx = np.flatnonzero(self.alive)
        order = idx[np.argsort(low[idx], kind="stable")].tolist()
        lowl = low.tolist()
        best_hi = _INF
        evals: list[_Eval] = []
        scale = self.scale
        for p in order:
            if lowl[p] > best_hi:
                break
            ev = self._evaluate(p)
            if not ev.afford:
                self.alive[p] = False
                self.ku[p] = k + ev.delta / scale if self.track else k
                continue
            evals.append(ev)
            self.lb[:, p] = (ev.rho, ev.drho, k, ev.rho_err, ev.drho_err)
            low[p] = ev.rho - (ev.rho_err + 2 * _U * abs(ev.rho))
            best_hi = min(best_hi, ev.rho + ev.rho_err)
        if not evals:
            return None
        return self._winner(evals)

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
        if rec.kmax is not None:
            return rec.kmax
        if not self.track:
            rec.kmax = -_INF
            return rec.kmax
        dist = _INF
        for _, d in rec.checks:
            if isinstance(d, tuple):
                d = _split_distance(*d) if len(d) == 8 else _split_distance_py(*d)
            dist = min(dist, d)
        kmax = rec.k + dist / self.scale
        rec.kmax = min(kmax, self._certificate(rec, self.rounds[j + 1]))
        return rec.kmax

    def _certificate(self, rec: _Round, after: _Round) -> float:
        """Increment below which no other project can beat round ``rec``'s winner.

        ``after`` is the next round, whose snapshot holds the state at the end of ``rec``.
        """
        return self._certificate_from(rec, after.lb, after.pending, after.alive, after.ku)

    def _certificate_from(self, rec, lb, others, alive, ku) -> float:
        """A project loses if its lower bound stays above the winner's rho or (for a project
        removed as unaffordable) if it stays unaffordable: the better of the two counts.
        ``others`` are the projects still pending once the winner is funded."""
        if not others.any():
            return _INF
        rho, rho_err, drho, drho_err = rec.win
        value, err = self._lower_bounds(lb, rec.k)
        v = value[others]
        g0 = v - rho
        e0 = err[others] + rho_err + 2 * _U * (np.abs(v) + rho)
        ls = lb[_S][others]
        g1 = ls - drho
        e1 = lb[_E1][others] + drho_err + 2 * _U * (np.abs(ls) + abs(drho))
        d = _crossings(g0 - e0, g1 - e1)
        if rec.tied:
            # Exact ties lost by tie-breaking: rho_p >= rho_win must persist, i.e. the slope
            # difference must be provably non-negative (e.g. both constant).
            where = np.flatnonzero(others)
            for p in rec.tied:
                i = int(np.searchsorted(where, p))
                d[i] = _INF if g1[i] - e1[i] >= 0.0 else 0.0
        kmax = rec.k + d / self.scale
        removed = ~alive[others]
        kmax = np.where(removed, np.maximum(kmax, ku[others]), kmax)
        return float(kmax.min())

    def _winner(self, evals: list[_Eval]) -> tuple[_Eval, list[_Eval]]:
        """Smallest rho, ties by rank; near-ties are settled exactly."""
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
        poor = order[:npoor]
        rich = order[npoor:]
        ksl = _as_list(ev.ks)
        nsl = [round(x) for x in _as_list(ev.ns)]
        ss = ev.ss
        ssl = [1] * len(ksl) if ss is None else [round(x) for x in ss.tolist()]
        rec.w = p
        rec.pi = ev.pi
        rec.poor = [(ksl[i], nsl[i], ssl[i]) for i in poor]
        keys = _as_list(ev.keys)
        if self.track:
            rec.poor_keys = sorted(keys[i] for i in poor)
            rec.rich_keys = sorted(keys[i] for i in rich)
        rec.r_units = ev.r_units
        rec.rich_n = sum(nsl[i] for i in rich)
        if ev.xpi is not None:
            self.xpi[j] = ev.xpi
            rec.xpi = (self.k, ev.xpi)
        # New classes for the supporters who keep some budget.
        K = self.K
        n_new = len(rich)
        kr = [ksl[i] for i in rich]
        sr = [ssl[i] for i in rich]
        pi, pe, dpi, dpe = ev.pi, ev.pi_err, ev.dpi, ev.dpi_err
        curl, errl, slopel, eslopel = self.curl, self.errl, self.slopel, self.eslopel
        cur = [curl[k] - pi * s for k, s in zip(kr, sr, strict=True)]
        err = [
            errl[k] + s * pe + 2 * _U * (abs(curl[k]) + pi * s) for k, s in zip(kr, sr, strict=True)
        ]
        slope = [slopel[k] - dpi * s for k, s in zip(kr, sr, strict=True)]
        eslope = [
            eslopel[k] + s * dpe + 2 * _U * (abs(slopel[k]) + s * abs(dpi))
            for k, s in zip(kr, sr, strict=True)
        ]
        self._grow(K + n_new)
        rows = self.tab[K : K + n_new]
        rows[:, _CUR] = cur
        rows[:, _ERR] = err
        rows[:, _SLOPE] = slope
        rows[:, _ESLOPE] = eslope
        rows[:, _ASLOPE] = np.abs(rows[:, _SLOPE])
        curl.extend(cur)
        errl.extend(err)
        slopel.extend(slope)
        eslopel.extend(eslope)
        new = slice(K, K + n_new)
        self.c_vref[new] = cur
        self.c_eref[new] = err
        self.c_kref[new] = self.k
        self.c_parent.extend(kr)
        self.c_round.extend([j] * n_new)
        self.c_s.extend(sr)
        self.K = K + n_new
        # Move the supporters to their new classes (those who paid everything are dead).
        sup = self.prof.sup[p]
        old = self.cls[sup]
        rec.old_cls = old
        target = dict.fromkeys((keys[i] for i in poor), _DEAD)
        target.update(zip((keys[i] for i in rich), range(K, K + n_new)))
        if ss is None and len(sup) <= _SMALL:
            new_cls = np.asarray([target.get(c, c) for c in old.tolist()], dtype=np.int64)
        elif ss is None:
            mapping = np.arange(K, dtype=np.int64)
            mapping[list(target)] = list(target.values())
            new_cls = mapping[old]
        else:
            nv = len(self.svals[p])
            mapping = np.arange(K * nv, dtype=np.int64) // nv
            mapping[list(target)] = list(target.values())
            new_cls = mapping[old * nv + self.sidx[p]]
        rec.new_cls = new_cls
        self.cls[sup] = new_cls
        self.alive[p] = False
        self.pending[p] = False
        self.selected.append(p)
        self.rounds.append(rec)

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
            self._reset()
            self._set_k(k)
            self._refresh_low()
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

        Rounds whose validity ended are recomputed one at a time; when the recomputed round
        funds the same project with the same split of its supporters, every budget after it is
        the same affine function of ``t`` as before, so later rounds are kept (and checked in
        turn). Otherwise the rest of the run is recomputed.
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
        i = j
        while i < len(rounds):
            rec = rounds[i]
            if i > j and k < self._kmax(i):
                self.stats.rounds_reused += 1
                if rec.w >= 0:
                    self.cls[sup[rec.w]] = rec.new_cls
                i += 1
                continue
            self.stats.rounds_computed += 1
            self._load(rec, k)
            choice = self._choose()
            if choice is None:
                if rec.w < 0:
                    self._truncate(i)
                    self._terminate(rec)
                    return
                self._truncate(i)
                self._terminate(self._inherit(rec))
                return
            win, tied = choice
            if rec.w == win.p and self._same_split(rec, win):
                self._describe(rec, win, tied)
                rec.k = k
                after = (
                    self.lb,
                    self.pending & (np.arange(self.n_projects) != win.p),
                    self.alive,
                    self.ku,
                )
                dist = win.delta
                if isinstance(dist, tuple):
                    dist = _split_distance(*dist) if len(dist) == 8 else _split_distance_py(*dist)
                rec.kmax = min(k + dist / self.scale, self._certificate_from(rec, *after))
                if win.xpi is not None:
                    self.xpi[i] = win.xpi
                    rec.xpi = (k, win.xpi)
                self.cls[sup[rec.w]] = rec.new_cls
                i += 1
                continue
            self._truncate(i)
            self._fund(win, tied, self._inherit(rec))
            while self._round():
                pass
            return

    def _load(self, rec: _Round, k: int) -> None:
        """Project state (bounds, live and pending projects) at the start of ``rec`` for ``k``."""
        self.lb = rec.lb.copy()
        self.ku = rec.ku.copy()
        self.pending = rec.pending.copy()
        # Projects removed as unaffordable may have become affordable at increment k.
        self.alive = rec.alive | (self.pending & ~(k < self.ku))
        self.ku[self.alive] = _INF
        self._refresh_low()

    def _truncate(self, i: int) -> None:
        """Forget rounds ``i..`` (their supporters' classes are already undone)."""
        self.K = self.rounds[i].k_start
        for lst in (self.curl, self.errl, self.slopel, self.eslopel):
            del lst[self.K :]
        del self.c_parent[self.K :]
        del self.c_round[self.K :]
        del self.c_s[self.K :]
        del self.rounds[i:]
        del self.selected[i:]
        for j in list(self.xpi):
            if j >= i:
                del self.xpi[j]

    def _inherit(self, old: _Round) -> _Round:
        """A fresh record for a recomputed round, keeping ``old``'s start-of-round snapshot."""
        rec = _Round()
        rec.k = self.k
        rec.k_start = old.k_start
        rec.xpi = None
        rec.old_cls = None
        rec.kmax = None
        rec.tied = ()
        rec.checks = []
        rec.lb, rec.alive, rec.ku, rec.pending = old.lb, old.alive, old.ku, old.pending
        return rec

    def _same_split(self, rec: _Round, win: _Eval) -> bool:
        order, npoor = win.order, win.npoor
        keys = _as_list(win.keys)
        poor = sorted(keys[i] for i in order[:npoor])
        rich = sorted(keys[i] for i in order[npoor:])
        return poor == rec.poor_keys and rich == rec.rich_keys


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


def _split_distance_py(bl, el, al, eal, order, npoor, pi, pi_err, dpi, dpi_err) -> float:
    """:func:`_split_distance` for the plain-Python evaluations (binary utilities)."""
    dist = _INF
    for idx, i in enumerate(order):
        b, a = bl[i], al[i]
        if idx < npoor:
            gap, slope = pi - b, dpi - a
        else:
            gap, slope = b - pi, a - dpi
        bound = el[i] + pi_err + 2 * _U * (pi + abs(b))
        sbound = eal[i] + dpi_err + 2 * _U * (abs(a) + abs(dpi))
        d = _crossing(gap, bound, slope, sbound)
        if d < dist:
            dist = d
    return dist


def _as_list(x) -> list:
    return x if isinstance(x, list) else x.tolist()

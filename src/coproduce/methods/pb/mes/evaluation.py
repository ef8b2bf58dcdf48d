"""Evaluating a project: who pays what, in float with error bounds, or exactly.

An evaluation answers, for one project and the current budgets: can its supporters pay for
it, and if so at which price ``pi`` per unit of satisfaction (``rho`` = ``pi`` per unit of
``kappa``) and with which *split* (who pays everything she has, who pays the full share)?
The float path computes these with rigorous error bounds and certifies them; anything it
cannot certify (a tie or a near-tie) goes to :meth:`EvaluationMixin._evaluate_exact`, which
recomputes the budgets as Fractions from the recorded history. The exact values of past
rounds (``exact_pi`` and friends) live here too; the results page reads them.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .bounds import crossing, split_margins
from .records import Evaluation, Round
from .tables import ABS_SLOPE, BUDGET, BUDGET_ERR, DEAD, INF, SLOPE, SLOPE_ERR, U

#: Up to this many bins the root of the payment equation is found by a plain-Python scan;
#: beyond, by sorted arrays (tests set it to 0 to exercise the vectorised scan).
_SCAN = 96


def as_list(x: list | np.ndarray) -> list:
    """A list as is, an array as a list (the compiled kernels return arrays, Python lists)."""
    return x if isinstance(x, list) else x.tolist()


class EvaluationMixin:
    """Evaluation of one project and exact values from the history (part of ``MESEngine``).

    Reads the engine's budget classes (``cls``, ``tab``, ``curv``, the class history
    ``c_parent``/``c_round``/``c_s``) and the exact memos ``xb``/``xpi`` of the current
    increment; writes nothing but those memos and the statistics.
    """

    # ------------------------------------------------------------------ exact values

    def _exact_budget(self, k: int) -> Fraction:
        """Exact budget of class ``k`` at the current increment (memoised, no recursion).

        A class's budget is its parent's budget minus what it paid in the round that created
        it (``c_s`` units at that round's exact ``pi``); that ``pi`` in turn depends on the
        budgets of the round's poor bins. An explicit stack walks this history.
        """
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
            if c != DEAD:
                total += m * self._exact_budget(c)
        return total

    def poor_of(self, rec: Round) -> list[tuple[int, int, int]]:
        """``(class, voters, satisfaction)`` of the bins that paid all they had in ``rec``."""
        if rec.poor is None:
            ks, ns, ss, order, npoor = rec.bins
            ksl, nsl = as_list(ks), as_list(ns)
            ssl = None if ss is None else ss.tolist()
            rec.poor = [
                (int(ksl[i]), round(nsl[i]), 1 if ssl is None else round(ssl[i]))
                for i in order[:npoor]
            ]
        return rec.poor

    # ------------------------------------------------------------------ one evaluation

    def _bins(self, p: int, ev: Evaluation, cl: np.ndarray | None = None) -> None:
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
                if nz[0] == DEAD:
                    nz, ns = nz[1:], ns[1:]
            else:
                cnt = np.bincount(cl, weights=self.msup[p], minlength=self.K)
                cnt[DEAD] = 0.0
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

    def _evaluate(self, p: int) -> Evaluation:
        """Evaluate ``p`` in float with certified bounds (the NumPy path), else exactly."""
        self.stats.evaluations += 1
        ev = Evaluation()
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
        total_err = self.kern.errmax * voters + (n + 2) * U * total + U * c
        if c - total > total_err:
            ev.afford = False
            if self.track:
                slope = -float(self.msup[p] @ self.tab[cl, SLOPE])
                slope_err = (self.kern.eslopemax + (n + 2) * U * self.kern.aslopemax) * voters
                ev.delta = crossing(c - total, total_err, slope, slope_err)
            return ev
        self._bins(p, ev, cl)
        if total - c <= total_err:
            return self._evaluate_exact(ev)
        ks, ns, ss = ev.ks, ev.ns, ev.ss
        rows = self.tab[ks]
        b = rows[:, BUDGET]
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
            paid_err = float(agg[BUDGET_ERR]) + (npoor + 2) * U * paid
            dpi = -float(agg[SLOPE]) / units
            dpi_err = (float(agg[SLOPE_ERR]) + (npoor + 2) * U * float(agg[ABS_SLOPE])) / units
        else:
            paid_err = dpi = dpi_err = 0.0
        pi_err = (paid_err + 2 * U * (c + paid)) / units + 2 * U * pi
        dpi_err += 2 * U * abs(dpi)
        # Certify the split (poor: b < pi*s, rich: b >= pi*s) beyond the error bounds: a quick
        # test on the two bins around the threshold with the largest error bound of all bins,
        # the per-bin test only when that is not enough.
        smax = 1.0 if ss is None else float(ss.max())
        slack = (
            float(rows[:, BUDGET_ERR].max()) + smax * pi_err + 2 * U * (pi * smax + float(b.max()))
        )
        i_rich = int(ol[npoor])
        near = float(b[i_rich]) - pi * (1.0 if ss is None else float(ss[i_rich]))
        if npoor:
            i_poor = int(ol[npoor - 1])
            near = min(near, pi * (1.0 if ss is None else float(ss[i_poor])) - float(b[i_poor]))
        if near <= slack:
            margins = split_margins(rows, ss, order, npoor, pi, pi_err)
            if float(margins.min()) <= 0.0:
                return self._evaluate_exact(ev)
        if self.track:
            ev.delta = (rows, ss, order, npoor, pi, pi_err, dpi, dpi_err)
        ev.order = ol
        return self._priced(ev, npoor, units, pi, pi_err, dpi, dpi_err)

    def _priced(
        self,
        ev: Evaluation,
        npoor: int,
        units: float,
        pi: float,
        pi_err: float,
        dpi: float,
        dpi_err: float,
    ) -> Evaluation:
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
        ev.rho_err = pi_err / kap + 2 * U * ev.rho
        ev.drho = dpi / kap
        ev.drho_err = dpi_err / kap + 2 * U * abs(ev.drho)
        return ev

    def _evaluate_exact(self, ev: Evaluation) -> Evaluation:
        """Exact evaluation (ties and near-ties): Fractions from the recorded history.

        Slopes stay floats with error bounds: they only serve to know how long the exact
        decision lasts as ``t`` grows, which is certified conservatively like the rest.
        """
        self.stats.exact_evaluations += 1
        p = ev.p
        c = self.costs[p]
        ks = as_list(ev.ks)
        ns = [round(n) for n in as_list(ev.ns)]
        sv = [1] * len(ks) if ev.ss is None else [round(s) for s in ev.ss.tolist()]
        xb = [self._exact_budget(k) for k in ks]
        total = sum(n * b for n, b in zip(ns, xb, strict=True))
        rows = self.tab[np.asarray(ks, dtype=np.int64)]
        a = rows[:, SLOPE].tolist()
        ea = rows[:, SLOPE_ERR].tolist()
        if total < c:
            gap = float(c - total)
            return self._unaffordable(ev, gap, 2 * U * abs(gap))
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
        dpi_err = (sum(ns[i] * ea[i] for i in poor) + (npoor + 2) * U * slope_abs) / units
        dpi_err += 2 * U * abs(dpi)
        delta = INF
        for idx, i in enumerate(order):
            s = sv[i]
            xgap = xpi * s - xb[i]
            slope = dpi * s - a[i]
            if idx >= npoor:
                xgap, slope = -xgap, -slope
            gap = float(xgap)
            sbound = ea[i] + s * dpi_err + 2 * U * (abs(a[i]) + s * abs(dpi))
            delta = min(delta, crossing(gap, 2 * U * abs(gap), slope, sbound))
        kap = self.kappa[p]
        ev.afford = True
        ev.order = order
        ev.npoor = npoor
        ev.r_units = units
        ev.xpi = xpi
        ev.pi = float(xpi)
        ev.pi_err = 2 * U * ev.pi
        ev.dpi = dpi
        ev.dpi_err = dpi_err
        ev.rho = float(xpi / kap)
        ev.rho_err = 2 * U * ev.rho
        ev.drho = dpi / kap
        ev.drho_err = dpi_err / kap + 2 * U * abs(ev.drho)
        ev.delta = delta
        return ev

    def _unaffordable(self, ev: Evaluation, gap: float, gap_err: float) -> Evaluation:
        """``ev`` cannot be paid for; record how long that provably lasts as ``t`` grows."""
        agg = np.asarray(ev.ns) @ self.tab[np.asarray(ev.ks, dtype=np.int64)]
        slope_err = float(agg[SLOPE_ERR]) + (len(ev.ks) + 2) * U * float(agg[ABS_SLOPE])
        ev.afford = False
        ev.delta = crossing(gap, gap_err, -float(agg[SLOPE]), slope_err)
        return ev

    def _exact_rho(self, ev: Evaluation) -> Fraction:
        """Exact rho of an evaluation whose split is certified (only poor budgets needed)."""
        if ev.xpi is None:
            poor = ev.order[: ev.npoor]
            ks = as_list(ev.ks)
            ns = as_list(ev.ns)
            paid = sum(round(ns[i]) * self._exact_budget(ks[i]) for i in poor)
            ev.xpi = (self.costs[ev.p] - paid) / Fraction(ev.r_units)
        return ev.xpi / self.kappa[ev.p]

    def _in_order(self, ev: Evaluation) -> tuple[np.ndarray, np.ndarray]:
        """A binary evaluation's bins (classes, voters) in split order: poor ones first."""
        if isinstance(ev.order, range):  # compiled evaluation: already in split order
            return ev.ks, ev.ns
        o = np.asarray(ev.order, dtype=np.int64)
        return np.asarray(ev.ks, dtype=np.int64)[o], np.asarray(ev.ns, dtype=np.float64)[o]

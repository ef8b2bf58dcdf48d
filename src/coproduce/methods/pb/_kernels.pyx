# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled inner loops of the MES engine for binary utilities (``cost``, ``cardinality``).

:class:`Tables` holds the engine's arrays (supporters of every project, budget classes) and
does in one call what :mod:`.mes` would otherwise do with a dozen numpy calls or a Python
loop per supporter group: the candidate loop of a round (bounds, evaluations), funding a
project, recording and re-using its split of supporters. Add1 makes these calls hundreds of
thousands of times on a real election, where the per-call overhead of numpy and of the
interpreter, not the arithmetic, dominated.

The arithmetic and the error bounds are those of the NumPy path
(``mes/evaluation.py``, ``mes/numpy_kernels.py``, which also serve when this extension was not
built): the standard float64 rounding model, ``u = 2**-53``, where a sum of ``n`` terms is
bounded whatever the order of summation. So every decision stays certified and near-ties are
still handed back to the exact Fraction code. The class table ``tab`` has
one row per budget class and the lower-bound table ``lb`` one column per project, laid out as
described in ``mes/tables.py`` and named alike here. Class 0 holds the voters with no money
left.
"""

import numpy as np

from libc.math cimport INFINITY, fabs
from libc.stdint cimport int64_t, uint8_t
from libc.stdlib cimport free, malloc, qsort

cdef double U = 2.0 ** -53
cdef double SHRINK = 1.0 - 16 * (2.0 ** -53)
cdef int64_t DEAD = 0

# Columns of the class table and rows of the lower-bound table (mes/tables.py).
cdef enum:
    BUDGET = 0
    BUDGET_ERR = 1
    SLOPE = 2
    SLOPE_ERR = 3
    ABS_SLOPE = 4
cdef enum:
    LB_VALUE = 0
    LB_SLOPE = 1
    LB_AT = 2
    LB_VALUE_ERR = 3
    LB_SLOPE_ERR = 4

ctypedef struct Bin:
    double b
    int64_t k
    double n


cdef int _by_budget(const void* x, const void* y) noexcept nogil:
    cdef const Bin* a = <const Bin*> x
    cdef const Bin* c = <const Bin*> y
    if a.b < c.b:
        return -1
    if a.b > c.b:
        return 1
    return (a.k > c.k) - (a.k < c.k)


cdef Py_ssize_t _rank(
    Bin* items, const uint8_t[::1] alive, const double[::1] low, double best_hi, Py_ssize_t skip
) noexcept:
    """Fill ``items`` with the live projects (but ``skip``) whose lower bound is at most
    ``best_hi``, by bound, ties by index; return how many. An unknown (NaN) bound prunes
    nothing: such a project comes first, with bound -inf."""
    cdef Py_ssize_t p, m = 0
    for p in range(low.shape[0]):
        if alive[p] and p != skip and not low[p] > best_hi:
            items[m].b = low[p] if low[p] == low[p] else -INFINITY
            items[m].k = p
            m += 1
    qsort(items, m, sizeof(Bin), _by_budget)
    return m


cdef inline double crossing(double g0, double e0, double g1, double e1) noexcept nogil:
    """``mes.bounds.crossing``: how far ``t`` may grow while ``g0 + g1 * dt`` stays positive."""
    cdef double lo = g0 - e0
    if lo <= 0.0:
        return 0.0
    cdef double slope = g1 - e1
    if slope >= 0.0:
        return INFINITY
    return lo / -slope * SHRINK


ctypedef struct Eval:
    int status  # 0: cannot pay, 1: certified, 2: only the exact code can decide
    Py_ssize_t m  # bins (live budget classes among the supporters)
    Py_ssize_t npoor  # the first npoor bins pay everything they have
    double delta  # status 0: how far t may grow while that stays so
    double units  # voters paying pi each
    double pi
    double pi_err
    double dpi
    double dpi_err
    double dist  # how far t may grow before a bin could change side


cdef inline void _swap(Bin* bins, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    cdef Bin tmp = bins[i]
    bins[i] = bins[j]
    bins[j] = tmp


cdef class Tables:
    """The engine's arrays, seen from C.

    Supporters are stored flat (``sup[ptr[p]:ptr[p + 1]]``, ``mult`` voters per group). The
    engine calls :meth:`bind` whenever it allocates new class arrays (class table ``tab``,
    class of every group ``cls``, the references of each class ``c_vref``/``c_eref``/
    ``c_kref``, the budget column ``curv``). ``errmax``/``eslopemax``/``aslopemax`` are the
    largest error bounds and absolute slope of any class, kept up to date by :meth:`fund`.
    """

    cdef const int64_t[::1] sup
    cdef const int64_t[::1] ptr
    cdef const double[::1] mult
    cdef const double[::1] voters
    cdef const double[::1] cost
    cdef const double[::1] kappa
    cdef double[:, ::1] tab
    cdef int64_t[::1] cls
    cdef int64_t[::1] pos
    cdef int64_t[::1] mapping
    cdef uint8_t[::1] flag
    cdef double[::1] curv
    cdef double[::1] c_vref
    cdef double[::1] c_eref
    cdef double[::1] c_kref
    cdef Bin* bins
    cdef public double errmax
    cdef public double eslopemax
    cdef public double aslopemax
    cdef public bint track
    cdef public long evaluations

    def __cinit__(self):
        self.bins = NULL

    def __init__(
        self, list sup, list mult, list voters, list costs, list kappa, bint track
    ):
        lengths = np.array([len(s) for s in sup], dtype=np.int64)
        ptr = np.zeros(len(sup) + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        self.ptr = ptr
        self.sup = np.concatenate(sup).astype(np.int64) if sup else np.zeros(0, np.int64)
        flat = np.concatenate(mult).astype(np.float64) if mult else np.zeros(0)
        self.mult = flat
        self.voters = np.array(voters, dtype=np.float64)
        self.cost = np.array([float(c) for c in costs], dtype=np.float64)
        self.kappa = np.array([float(k) for k in kappa], dtype=np.float64)
        self.track = track
        self.evaluations = 0
        self.bins = <Bin*> malloc((int(lengths.max(initial=0)) + 1) * sizeof(Bin))
        if self.bins == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.bins)

    def bind(self, tab, cls, curv, c_vref, c_eref, c_kref):
        """Point at the engine's (new) class arrays; scratch space grows along."""
        self.tab = tab
        self.cls = cls
        self.curv = curv
        self.c_vref = c_vref
        self.c_eref = c_eref
        self.c_kref = c_kref
        cdef Py_ssize_t cap = tab.shape[0]
        if self.pos is None or self.pos.shape[0] < cap:
            self.pos = np.full(cap, -1, dtype=np.int64)
            self.mapping = np.zeros(cap, dtype=np.int64)
            self.flag = np.zeros(cap, dtype=np.uint8)

    # ------------------------------------------------------------------ one evaluation

    cdef void _evaluate(self, Py_ssize_t p, Eval* ev) noexcept:
        """Evaluate project ``p``: fills ``ev`` and, unless it cannot pay, ``self.bins``."""
        cdef const int64_t[::1] sup = self.sup
        cdef const double[::1] mult = self.mult
        cdef const int64_t[::1] cls = self.cls
        cdef const double[:, ::1] tab = self.tab
        cdef int64_t[::1] pos = self.pos
        cdef Bin* bins = self.bins
        cdef Py_ssize_t first = self.ptr[p], last = self.ptr[p + 1], n = last - first
        cdef Py_ssize_t i, j, m = 0
        cdef int64_t k
        cdef double c = self.cost[p], voters = self.voters[p]
        cdef double total = 0.0, total_err, slope, slope_err, a, x
        self.evaluations += 1
        ev.m = 0
        ev.delta = 0.0
        for i in range(first, last):
            total += mult[i] * tab[cls[sup[i]], 0]
        # Quick test with the largest error bound of any class (rarely inconclusive).
        total_err = self.errmax * voters + (n + 2) * U * total + U * c
        if c - total > total_err:
            ev.status = 0
            if self.track:
                slope = 0.0
                for i in range(first, last):
                    slope -= mult[i] * tab[cls[sup[i]], 2]
                slope_err = (self.eslopemax + (n + 2) * U * self.aslopemax) * voters
                ev.delta = crossing(c - total, total_err, slope, slope_err)
            return
        cdef bint clear = total - c > total_err
        for i in range(first, last):
            k = cls[sup[i]]
            if k == DEAD:
                continue
            j = pos[k]
            if j < 0:
                pos[k] = m
                bins[m].k = k
                bins[m].n = mult[i]
                bins[m].b = tab[k, BUDGET]
                m += 1
            else:
                bins[j].n += mult[i]
        for j in range(m):
            pos[bins[j].k] = -1
        ev.m = m
        if not clear:
            # Per bin now, with each class's own error bound.
            total = 0.0
            total_err = 0.0
            for j in range(m):
                total += bins[j].n * bins[j].b
                total_err += bins[j].n * tab[bins[j].k, 1]
            total_err += (m + 2) * U * total + U * c
            if c - total > total_err:
                ev.status = 0
                if self.track:
                    slope = 0.0
                    slope_err = 0.0
                    x = 0.0
                    for j in range(m):
                        a = tab[bins[j].k, 2]
                        slope -= bins[j].n * a
                        slope_err += bins[j].n * tab[bins[j].k, 3]
                        x += bins[j].n * fabs(a)
                    slope_err += (m + 2) * U * x
                    ev.delta = crossing(c - total, total_err, slope, slope_err)
                return
            if total - c <= total_err:
                ev.status = 2
                return
        self._split(c, m, ev)

    cdef void _split(self, double c, Py_ssize_t m, Eval* ev) noexcept:
        """Find ``pi`` and the split of the bins; certify it.

        A bin pays everything it has exactly when its budget is below ``pi``, the root of
        ``sum(n * min(b, pi)) = c``. Rather than sorting the bins (the cost of an evaluation
        with hundreds of bins), a quickselect finds the root: for a pivot budget ``v``,
        ``pi > v`` if and only if ``sum(n * min(b, v)) < c``, which settles every bin on one
        side of ``v``. The bins end up partitioned, poor ones first, in linear expected time.
        A float mistake near a tie is caught by the certification like any other.
        """
        cdef Bin* bins = self.bins
        cdef const double[:, ::1] tab = self.tab
        cdef double paid = 0.0, units = 0.0, pi, v, below, above, x, y, z
        cdef Py_ssize_t start = 0, stop = m, mid, eq, j, npoor
        while start < stop:
            # Median of three as the pivot: robust to bins arriving in budget order.
            x = bins[start].b
            y = bins[(start + stop) // 2].b
            z = bins[stop - 1].b
            if x > y:
                x, y = y, x
            v = y if y <= z else (x if x > z else z)
            # [start, mid): b < v; [mid, eq): b == v; [eq, stop): b > v.
            mid = start
            below = 0.0
            for j in range(start, stop):
                if bins[j].b < v:
                    below += bins[j].n * bins[j].b
                    _swap(bins, mid, j)
                    mid += 1
            eq = mid
            above = 0.0
            for j in range(mid, stop):
                above += bins[j].n
                if bins[j].b == v:
                    _swap(bins, eq, j)
                    eq += 1
            if paid + below + v * (units + above) < c:  # pi > v: every bin up to v is poor
                for j in range(mid, eq):
                    below += bins[j].n * bins[j].b
                paid += below
                start = eq
            else:  # pi <= v: every bin from v up pays the full share
                units += above
                stop = mid
        npoor = start
        if npoor == m:  # only reachable through rounding: decide exactly
            ev.status = 2
            return
        pi = (c - paid) / units
        cdef double paid_err = 0.0, sa = 0.0, sea = 0.0, saa = 0.0, a, b, e
        cdef int64_t k
        for j in range(npoor):
            k = bins[j].k
            a = tab[k, SLOPE]
            paid_err += bins[j].n * tab[k, BUDGET_ERR]
            sa += bins[j].n * a
            sea += bins[j].n * tab[k, SLOPE_ERR]
            saa += bins[j].n * fabs(a)
        paid_err += (npoor + 2) * U * paid
        cdef double pi_err = (paid_err + 2 * U * (c + paid)) / units + 2 * U * pi
        cdef double dpi = -sa / units
        cdef double dpi_err = (sea + (npoor + 2) * U * saa) / units + 2 * U * fabs(dpi)
        # Certify the split (poor: b < pi, rich: b >= pi) beyond the error bounds: a quick
        # test of the nearest bin with the largest error bound of all, else bin by bin.
        cdef double emax = 0.0, bmax = 0.0, near = INFINITY, gap
        for j in range(m):
            e = tab[bins[j].k, 1]
            if e > emax:
                emax = e
            if fabs(bins[j].b) > bmax:
                bmax = fabs(bins[j].b)
            gap = pi - bins[j].b if j < npoor else bins[j].b - pi
            if gap < near:
                near = gap
        if near <= emax + pi_err + 2 * U * (pi + bmax):
            for j in range(m):
                b = bins[j].b
                gap = pi - b if j < npoor else b - pi
                if gap <= tab[bins[j].k, 1] + pi_err + 2 * U * (pi + fabs(b)):
                    ev.status = 2
                    return
        cdef double dist = 0.0, lo, slope, adpi = fabs(dpi)
        if self.track:
            dist = INFINITY
            for j in range(m):
                k = bins[j].k
                b = bins[j].b
                a = tab[k, SLOPE]
                if j < npoor:
                    gap = pi - b
                    slope = dpi - a
                else:
                    gap = b - pi
                    slope = a - dpi
                lo = gap - (tab[k, BUDGET_ERR] + pi_err + 2 * U * (pi + fabs(b)))
                if lo <= 0.0:
                    dist = 0.0
                    break
                slope -= tab[k, SLOPE_ERR] + dpi_err + 2 * U * (fabs(a) + adpi)
                if slope < 0.0:
                    lo = lo / -slope * SHRINK
                    if lo < dist:
                        dist = lo
        ev.status = 1
        ev.npoor = npoor
        ev.units = units
        ev.pi = pi
        ev.pi_err = pi_err
        ev.dpi = dpi
        ev.dpi_err = dpi_err
        ev.dist = dist

    cdef tuple _bins_out(self, Py_ssize_t m):
        ks = np.empty(m, dtype=np.int64)
        ns = np.empty(m, dtype=np.float64)
        cdef int64_t[::1] kv = ks
        cdef double[::1] nv = ns
        cdef Py_ssize_t j
        for j in range(m):
            kv[j] = self.bins[j].k
            nv[j] = self.bins[j].n
        return ks, ns

    cdef tuple _result(self, Eval* ev):
        if ev.status == 0:
            return (0, ev.delta)
        ks, ns = self._bins_out(ev.m)
        if ev.status == 2:
            return (2, ks, ns)
        return (
            1, ks, ns, ev.npoor, ev.units, ev.pi, ev.pi_err, ev.dpi, ev.dpi_err, ev.dist
        )

    def evaluate(self, Py_ssize_t p):
        """Evaluate project ``p`` with the current budgets.

        Returns ``(0, delta)`` when its supporters provably cannot pay (``delta``: how far
        ``t`` may grow while that stays so, 0 when not tracked); ``(2, ks, ns)`` when only
        the exact code can decide (``ks``: live classes among the supporters, ``ns``: their
        voters); else ``(1, ks, ns, npoor, units, pi, pi_err, dpi, dpi_err, dist)`` with the
        bins in split order (not sorted): the first ``npoor`` pay all they have, ``units``
        voters pay ``pi`` each, and ``dist`` is how far ``t`` may grow before a bin could
        change side (0 when not tracked).
        """
        cdef Eval ev
        self._evaluate(p, &ev)
        return self._result(&ev)

    # ------------------------------------------------------------------ a round

    def choose(
        self,
        Py_ssize_t hint,
        uint8_t[::1] alive,
        double[::1] low,
        double[:, ::1] lb,
        double[::1] ku,
        list split,
        double k,
        double scale,
    ):
        """The candidate loop of a round (``MESEngine._choose`` without the final pick).

        Evaluates ``hint`` first (the likely winner, -1 for none), then the live projects by
        increasing lower bound ``low`` while that bound is at most the best upper bound of a
        ``rho`` found so far; a project with a recorded split (``split[p]``) first gets its
        bound refreshed from it (``MESEngine._refresh``). Updates the bounds (``lb``, ``low``)
        of every project evaluated, and removes (``alive``, ``ku``) those that cannot pay.
        Returns ``(found, exact)``: for each project that can pay, ``(p, ks, ns, npoor,
        units, pi, pi_err, dpi, dpi_err, dist)``; for each project that only the exact code
        can decide, ``(p, ks, ns)`` (these do not prune the others).
        """
        cdef Py_ssize_t n = low.shape[0], p, i, count
        cdef double best_hi = INFINITY
        cdef list found = [], exact = []
        cdef Bin* order = <Bin*> malloc((n + 1) * sizeof(Bin))
        if order == NULL:
            raise MemoryError()
        try:
            if hint >= 0 and alive[hint]:
                best_hi = self._consider(hint, alive, low, lb, ku, k, scale, best_hi, found, exact)
            count = _rank(order, alive, low, best_hi, hint)
            for i in range(count):
                p = order[i].k
                if order[i].b > best_hi:
                    break
                if split[p] is not None and best_hi < INFINITY:
                    if self.refresh(p, split[p], low, lb, k) > best_hi:
                        continue
                best_hi = self._consider(p, alive, low, lb, ku, k, scale, best_hi, found, exact)
            return found, exact
        finally:
            free(order)

    cdef double _consider(
        self, Py_ssize_t p, uint8_t[::1] alive, double[::1] low, double[:, ::1] lb,
        double[::1] ku, double k, double scale, double best_hi, list found, list exact,
    ):
        """Evaluate ``p`` within :meth:`choose`; return the new best upper bound."""
        cdef Eval ev
        cdef double kap, rho, rho_err, drho, drho_err
        self._evaluate(p, &ev)
        if ev.status == 0:
            alive[p] = 0
            ku[p] = k + ev.delta / scale if self.track else k
            return best_hi
        if ev.status == 2:
            exact.append((p,) + self._bins_out(ev.m))
            return best_hi
        found.append((p,) + self._result(&ev)[1:])
        kap = self.kappa[p]
        rho = ev.pi / kap
        rho_err = ev.pi_err / kap + 2 * U * rho
        drho = ev.dpi / kap
        drho_err = ev.dpi_err / kap + 2 * U * fabs(drho)
        lb[LB_VALUE, p] = rho
        lb[LB_SLOPE, p] = drho
        lb[LB_AT, p] = k
        lb[LB_VALUE_ERR, p] = rho_err
        lb[LB_SLOPE_ERR, p] = drho_err
        low[p] = rho - (rho_err + 2 * U * fabs(rho))
        return min(best_hi, rho + rho_err)

    cpdef double refresh(
        self, Py_ssize_t p, tuple recorded, double[::1] low, double[:, ::1] lb, double k
    ):
        """Raise ``p``'s lower bound (``lb``, ``low``) from its recorded split ``(groups,
        weights, units)`` with today's budgets (``MESEngine._refresh``); return the bound."""
        value, err, slope, serr = self.split_bound(p, *recorded)
        cdef double new = value - (err + 2 * U * fabs(value))
        if new > low[p]:
            lb[LB_VALUE, p] = value
            lb[LB_SLOPE, p] = slope
            lb[LB_AT, p] = k
            lb[LB_VALUE_ERR, p] = err
            lb[LB_SLOPE_ERR, p] = serr
            low[p] = new
        return low[p]

    # ------------------------------------------------------------------ funding, splits

    def fund(
        self,
        Py_ssize_t p,
        const int64_t[::1] ks,
        const double[::1] ns,
        Py_ssize_t npoor,
        double pi,
        double pe,
        double dpi,
        double dpe,
        Py_ssize_t K,
        double k_now,
    ):
        """Fund project ``p`` evaluated with bins ``ks``/``ns`` in split order.

        The first ``npoor`` bins pay everything (their voters join class 0); every other bin
        pays ``pi`` per voter and becomes a new class, numbered from ``K`` in bin order (the
        table must have room). The supporters' classes are updated in ``cls``. Returns
        ``(old, new, rich_voters)``: the supporters' classes before and after, and the voters
        paying the full share.
        """
        cdef const int64_t[::1] sup = self.sup
        cdef double[:, ::1] tab = self.tab
        cdef int64_t[::1] cls = self.cls
        cdef int64_t[::1] mapping = self.mapping
        cdef Py_ssize_t m = ks.shape[0], first = self.ptr[p], n = self.ptr[p + 1] - first
        cdef Py_ssize_t i, row
        cdef int64_t kk, c
        cdef double rich = 0.0, b, adpi = fabs(dpi)
        for i in range(npoor):
            mapping[ks[i]] = DEAD
        for i in range(npoor, m):
            kk = ks[i]
            row = K + i - npoor
            rich += ns[i]
            b = tab[kk, BUDGET]
            tab[row, BUDGET] = b - pi
            tab[row, BUDGET_ERR] = tab[kk, BUDGET_ERR] + pe + 2 * U * (fabs(b) + pi)
            tab[row, SLOPE] = tab[kk, SLOPE] - dpi
            tab[row, SLOPE_ERR] = tab[kk, SLOPE_ERR] + dpe + 2 * U * (tab[kk, ABS_SLOPE] + adpi)
            tab[row, ABS_SLOPE] = fabs(tab[row, SLOPE])
            self.curv[row] = tab[row, BUDGET]
            self.c_vref[row] = tab[row, BUDGET]
            self.c_eref[row] = tab[row, BUDGET_ERR]
            self.c_kref[row] = k_now
            self.errmax = max(self.errmax, tab[row, BUDGET_ERR])
            self.eslopemax = max(self.eslopemax, tab[row, SLOPE_ERR])
            self.aslopemax = max(self.aslopemax, tab[row, ABS_SLOPE])
            mapping[kk] = row
        mapping[DEAD] = DEAD
        old = np.empty(n, dtype=np.int64)
        new = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] ov = old
        cdef int64_t[::1] nv = new
        for i in range(n):
            c = cls[sup[first + i]]
            ov[i] = c
            c = mapping[c]
            nv[i] = c
            cls[sup[first + i]] = c
        return old, new, round(rich)

    def split_groups(self, Py_ssize_t p, const int64_t[::1] ks, Py_ssize_t npoor):
        """The supporter groups of ``p`` (and their voters) in the first ``npoor`` bins of
        ``ks`` or in class 0: the side of a split that pays everything it has."""
        cdef const int64_t[::1] sup = self.sup
        cdef const double[::1] mult = self.mult
        cdef const int64_t[::1] cls = self.cls
        cdef uint8_t[::1] flag = self.flag
        cdef Py_ssize_t first = self.ptr[p], n = self.ptr[p + 1] - first, i, m = 0
        for i in range(npoor):
            flag[ks[i]] = 1
        flag[DEAD] = 1
        out_g = np.empty(n, dtype=np.int64)
        out_w = np.empty(n, dtype=np.float64)
        cdef int64_t[::1] gv = out_g
        cdef double[::1] wv = out_w
        for i in range(first, first + n):
            if flag[cls[sup[i]]]:
                gv[m] = sup[i]
                wv[m] = mult[i]
                m += 1
        for i in range(npoor):
            flag[ks[i]] = 0
        flag[DEAD] = 0
        return out_g[:m], out_w[:m]

    def split_bound(
        self,
        Py_ssize_t p,
        const int64_t[::1] groups,
        const double[::1] weights,
        double units,
    ):
        """Lower bound of ``p``'s ``rho`` from a recorded split (``MESEngine._refresh``).

        Returns ``(value, err, slope, slope_err)`` of the affine bound ``(c - P) / R / kappa``.
        """
        cdef const int64_t[::1] cls = self.cls
        cdef const double[:, ::1] tab = self.tab
        cdef Py_ssize_t n = groups.shape[0], i
        cdef int64_t k
        cdef double paid = 0.0, perr = 0.0, s = 0.0, se = 0.0, sa = 0.0, w
        cdef double c = self.cost[p], kappa = self.kappa[p]
        for i in range(n):
            k = cls[groups[i]]
            w = weights[i]
            paid += w * tab[k, BUDGET]
            perr += w * tab[k, BUDGET_ERR]
            s += w * tab[k, SLOPE]
            se += w * tab[k, SLOPE_ERR]
            sa += w * tab[k, ABS_SLOPE]
        cdef double value = (c - paid) / units / kappa
        cdef double err = (perr + (n + 2) * U * paid + 2 * U * (c + paid)) / units / kappa
        err += 2 * U * fabs(value)
        cdef double slope = -s / units / kappa
        cdef double serr = (se + (n + 2) * U * sa) / units / kappa
        return (value, err, slope, serr + 2 * U * fabs(slope))


def certificate(
    const double[:, ::1] lb,
    const uint8_t[::1] others,
    const uint8_t[::1] alive,
    const double[::1] ku,
    double k,
    double scale,
    double rho,
    double rho_err,
    double drho,
    double drho_err,
    tied,
):
    """Increment below which no project of ``others`` can beat a round's winner.

    ``MESEngine._certificate_from`` in one loop: a project loses while its lower bound (the
    affine piece in row ``lb``, valid at every increment) stays above the winner's ``rho`` (value,
    slope and error bounds given), or, for a project removed as unaffordable (not ``alive``),
    while it stays so (below ``ku``). Exact ties lost by tie-breaking (``tied``) must keep a
    provably non-negative slope difference. A NaN counts as no certificate at all.
    """
    cdef Py_ssize_t n = lb.shape[1], p
    cdef double best = INFINITY, dt, moved, value, err, ls, lo, slope, d, kmax
    cdef double arho = fabs(rho), adrho = fabs(drho)
    cdef set tied_set = set(tied)
    for p in range(n):
        if not others[p]:
            continue
        dt = (k - lb[LB_AT, p]) * scale
        moved = lb[LB_SLOPE, p] * dt
        value = lb[LB_VALUE, p] + moved
        err = lb[LB_VALUE_ERR, p] + lb[LB_SLOPE_ERR, p] * fabs(dt) + 2 * U * (fabs(lb[LB_VALUE, p]) + fabs(moved))
        ls = lb[LB_SLOPE, p]
        lo = value - rho - (err + rho_err + 2 * U * (fabs(value) + arho))
        slope = ls - drho - (lb[LB_SLOPE_ERR, p] + drho_err + 2 * U * (fabs(ls) + adrho))
        if tied_set and p in tied_set:
            d = INFINITY if slope >= 0.0 else 0.0
        elif lo <= 0.0:
            d = 0.0
        elif slope >= 0.0:
            d = INFINITY
        else:
            d = lo / -slope * SHRINK
        kmax = k + d / scale
        if not alive[p] and ku[p] > kmax:
            kmax = ku[p]
        if kmax != kmax:  # NaN
            return k
        if kmax < best:
            best = kmax
    return best


def ranked(const uint8_t[::1] alive, const double[::1] low, double best_hi):
    """Projects still alive whose lower bound ``low`` is at most ``best_hi``, by bound (ties by
    index), as two lists: projects and bounds. An unknown (NaN) bound prunes nothing: such a
    project comes first, with bound -inf."""
    cdef Py_ssize_t n = low.shape[0], p, m
    cdef Bin* items = <Bin*> malloc((n + 1) * sizeof(Bin))
    if items == NULL:
        raise MemoryError()
    try:
        m = _rank(items, alive, low, best_hi, -1)
        return [items[p].k for p in range(m)], [items[p].b for p in range(m)]
    finally:
        free(items)

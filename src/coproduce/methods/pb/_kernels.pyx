# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled inner loops of the MES engine for binary utilities (``cost``, ``cardinality``).

Each function does in one call what :mod:`.mes` would otherwise do with a dozen numpy calls
or a Python loop per supporter group: evaluating a project, funding it, recording and
re-using its split of supporters. Add1 makes these calls hundreds of thousands of times on a
real election, where the per-call overhead of numpy, not the arithmetic, dominated.

The arithmetic and the error bounds are those of the vectorised path of
:meth:`.mes.MESEngine._evaluate` (the standard float64 rounding model, ``u = 2**-53``; a sum
of ``n`` terms is bounded whatever the order of summation), so every decision stays certified
and near-ties are still handed back to the exact Fraction code. The class table ``tab`` has
one row per budget class: budget, its error bound, slope in ``t``, the slope's error bound,
absolute slope (see ``mes._CUR`` ...). Class 0 holds the voters with no money left.
"""

import numpy as np

from libc.math cimport INFINITY, fabs
from libc.stdint cimport int64_t, uint8_t
from libc.stdlib cimport free, malloc, qsort

cdef double U = 2.0 ** -53
cdef double SHRINK = 1.0 - 16 * (2.0 ** -53)
cdef int64_t DEAD = 0

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


cdef inline double crossing(double g0, double e0, double g1, double e1) noexcept nogil:
    """``mes._crossing``: how far ``t`` may grow while ``g0 + g1 * dt`` stays positive."""
    cdef double lo = g0 - e0
    if lo <= 0.0:
        return 0.0
    cdef double slope = g1 - e1
    if slope >= 0.0:
        return INFINITY
    return lo / -slope * SHRINK


def evaluate(
    double c,
    const int64_t[::1] groups,
    const double[::1] mult,
    const int64_t[::1] cls,
    const double[:, ::1] tab,
    double voters,
    double errmax,
    double eslopemax,
    double aslopemax,
    bint track,
    int64_t[::1] pos,
):
    """Evaluate a project of cost ``c`` whose supporters are ``groups`` (``mult`` voters each).

    Returns ``(0, delta)`` when the supporters provably cannot pay (``delta``: how far ``t``
    may grow while that stays so, 0 when not tracked); ``(2, ks, ns)`` when only the exact
    code can decide (``ks``: live classes among the supporters, ``ns``: their voters); else
    ``(1, ks, ns, npoor, units, pi, pi_err, dpi, dpi_err, dist)`` with the bins in split
    order (not sorted): the first ``npoor`` pay all they have, ``units`` voters paying ``pi`` each and
    ``dist`` how far ``t`` may grow before a bin could change side (0 when not tracked).
    ``pos`` is scratch space of at least one entry per class, every entry -1 (kept so).
    """
    cdef Py_ssize_t n = groups.shape[0]
    cdef Py_ssize_t i, j, m = 0, npoor
    cdef int64_t k
    cdef double total = 0.0, total_err, slope, slope_err, b, e, a, ea, x
    for i in range(n):
        total += mult[i] * tab[cls[groups[i]], 0]
    total_err = errmax * voters + (n + 2) * U * total + U * c
    if c - total > total_err:
        if not track:
            return (0, 0.0)
        slope = 0.0
        for i in range(n):
            slope -= mult[i] * tab[cls[groups[i]], 2]
        slope_err = (eslopemax + (n + 2) * U * aslopemax) * voters
        return (0, crossing(c - total, total_err, slope, slope_err))
    cdef bint clear = total - c > total_err
    cdef Bin* bins = <Bin*> malloc((n + 1) * sizeof(Bin))
    if bins == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            k = cls[groups[i]]
            if k == DEAD:
                continue
            j = pos[k]
            if j < 0:
                pos[k] = m
                bins[m].k = k
                bins[m].n = mult[i]
                bins[m].b = tab[k, 0]
                m += 1
            else:
                bins[j].n += mult[i]
        for j in range(m):
            pos[bins[j].k] = -1
        if not clear:
            # The quick test used the largest error bound of any class; per bin now.
            total = 0.0
            total_err = 0.0
            for j in range(m):
                total += bins[j].n * bins[j].b
                total_err += bins[j].n * tab[bins[j].k, 1]
            total_err += (m + 2) * U * total + U * c
            if c - total > total_err:
                if not track:
                    return (0, 0.0)
                slope = 0.0
                slope_err = 0.0
                x = 0.0
                for j in range(m):
                    a = tab[bins[j].k, 2]
                    slope -= bins[j].n * a
                    slope_err += bins[j].n * tab[bins[j].k, 3]
                    x += bins[j].n * fabs(a)
                slope_err += (m + 2) * U * x
                return (0, crossing(c - total, total_err, slope, slope_err))
            if total - c <= total_err:
                return (2,) + _bins_out(bins, m)
        return _split(c, bins, m, tab, track)
    finally:
        free(bins)


cdef tuple _bins_out(Bin* bins, Py_ssize_t m):
    ks = np.empty(m, dtype=np.int64)
    ns = np.empty(m, dtype=np.float64)
    cdef int64_t[::1] kv = ks
    cdef double[::1] nv = ns
    cdef Py_ssize_t j
    for j in range(m):
        kv[j] = bins[j].k
        nv[j] = bins[j].n
    return (ks, ns)


cdef inline void _swap(Bin* bins, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    cdef Bin tmp = bins[i]
    bins[i] = bins[j]
    bins[j] = tmp


cdef tuple _split(double c, Bin* bins, Py_ssize_t m, const double[:, ::1] tab, bint track):
    """Find ``pi`` and the split of the ``bins``; certify it (see :func:`evaluate`).

    A bin pays everything it has exactly when its budget is below ``pi``, the root of
    ``sum(n * min(b, pi)) = c``. Rather than sorting the bins (the cost of an evaluation
    with hundreds of bins), a quickselect finds the root: for a pivot budget ``v``, ``pi > v``
    if and only if ``sum(n * min(b, v)) < c``, which settles every bin on one side of ``v``.
    The bins end up partitioned, poor ones first, in linear expected time. A float mistake
    near a tie is caught by the certification below like any other.
    """
    cdef double paid = 0.0, units = 0.0, pi = 0.0, v, below, above, x, y, z
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
        return (2,) + _bins_out(bins, m)
    pi = (c - paid) / units
    cdef double paid_err = 0.0, sa = 0.0, sea = 0.0, saa = 0.0, a, b, e
    cdef int64_t k
    for j in range(npoor):
        k = bins[j].k
        a = tab[k, 2]
        paid_err += bins[j].n * tab[k, 1]
        sa += bins[j].n * a
        sea += bins[j].n * tab[k, 3]
        saa += bins[j].n * fabs(a)
    paid_err += (npoor + 2) * U * paid
    cdef double pi_err = (paid_err + 2 * U * (c + paid)) / units + 2 * U * pi
    cdef double dpi = -sa / units
    cdef double dpi_err = (sea + (npoor + 2) * U * saa) / units + 2 * U * fabs(dpi)
    # Certify the split (poor: b < pi, rich: b >= pi) beyond the error bounds: a quick test
    # on the two bins around the threshold with the largest error bound, else per bin.
    cdef double emax = 0.0, bmax = 0.0
    for j in range(m):
        e = tab[bins[j].k, 1]
        if e > emax:
            emax = e
        if fabs(bins[j].b) > bmax:
            bmax = fabs(bins[j].b)
    cdef double slack = emax + pi_err + 2 * U * (pi + bmax)
    cdef double near = INFINITY, gap
    for j in range(m):
        gap = pi - bins[j].b if j < npoor else bins[j].b - pi
        if gap < near:
            near = gap
    if near <= slack:
        for j in range(m):
            b = bins[j].b
            gap = pi - b if j < npoor else b - pi
            if gap <= tab[bins[j].k, 1] + pi_err + 2 * U * (pi + fabs(b)):
                return (2,) + _bins_out(bins, m)
    cdef double dist = 0.0, lo, slope, adpi = fabs(dpi)
    if track:
        dist = INFINITY
        for j in range(m):
            k = bins[j].k
            b = bins[j].b
            a = tab[k, 2]
            if j < npoor:
                gap = pi - b
                slope = dpi - a
            else:
                gap = b - pi
                slope = a - dpi
            lo = gap - (tab[k, 1] + pi_err + 2 * U * (pi + fabs(b)))
            if lo <= 0.0:
                dist = 0.0
                break
            slope -= tab[k, 3] + dpi_err + 2 * U * (fabs(a) + adpi)
            if slope < 0.0:
                lo = lo / -slope * SHRINK
                if lo < dist:
                    dist = lo
    ks, ns = _bins_out(bins, m)
    return (1, ks, ns, npoor, units, pi, pi_err, dpi, dpi_err, dist)


def fund(
    const int64_t[::1] ks,
    const double[::1] ns,
    Py_ssize_t npoor,
    double pi,
    double pe,
    double dpi,
    double dpe,
    double[:, ::1] tab,
    Py_ssize_t K,
    double[::1] curv,
    double[::1] c_vref,
    double[::1] c_eref,
    double[::1] c_kref,
    double k_now,
    const int64_t[::1] groups,
    int64_t[::1] cls,
    int64_t[::1] mapping,
):
    """Fund a project evaluated by :func:`evaluate` (bins ``ks``/``ns`` in split order).

    The first ``npoor`` bins pay everything (their voters join class 0); every other bin
    pays ``pi`` per voter and becomes a new class, numbered from ``K`` in bin order (the
    table must have room). The supporters' classes are updated in ``cls``. Returns
    ``(old, new, rich_voters, errmax, eslopemax, aslopemax)``: the supporters' classes before
    and after, the paying-in-full voters and the largest error bounds among the new rows.
    ``mapping`` is scratch space of one entry per class.
    """
    cdef Py_ssize_t m = ks.shape[0], n = groups.shape[0], i, row
    cdef int64_t kk, c
    cdef double rich = 0.0, b, errmax = 0.0, eslopemax = 0.0, aslopemax = 0.0, adpi = fabs(dpi)
    for i in range(npoor):
        mapping[ks[i]] = DEAD
    for i in range(npoor, m):
        kk = ks[i]
        row = K + i - npoor
        rich += ns[i]
        b = tab[kk, 0]
        tab[row, 0] = b - pi
        tab[row, 1] = tab[kk, 1] + pe + 2 * U * (fabs(b) + pi)
        tab[row, 2] = tab[kk, 2] - dpi
        tab[row, 3] = tab[kk, 3] + dpe + 2 * U * (tab[kk, 4] + adpi)
        tab[row, 4] = fabs(tab[row, 2])
        curv[row] = tab[row, 0]
        c_vref[row] = tab[row, 0]
        c_eref[row] = tab[row, 1]
        c_kref[row] = k_now
        errmax = max(errmax, tab[row, 1])
        eslopemax = max(eslopemax, tab[row, 3])
        aslopemax = max(aslopemax, tab[row, 4])
        mapping[kk] = row
    mapping[DEAD] = DEAD
    old = np.empty(n, dtype=np.int64)
    new = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] ov = old
    cdef int64_t[::1] nv = new
    for i in range(n):
        c = cls[groups[i]]
        ov[i] = c
        c = mapping[c]
        nv[i] = c
        cls[groups[i]] = c
    return (old, new, round(rich), errmax, eslopemax, aslopemax)


def split_groups(
    const int64_t[::1] groups,
    const double[::1] mult,
    const int64_t[::1] cls,
    const int64_t[::1] ks,
    Py_ssize_t npoor,
    uint8_t[::1] flag,
):
    """The supporter groups (and their voters) in the first ``npoor`` bins or in class 0.

    ``flag`` is scratch space of one entry per class, all zero (kept so).
    """
    cdef Py_ssize_t n = groups.shape[0], i, m = 0
    for i in range(npoor):
        flag[ks[i]] = 1
    flag[DEAD] = 1
    out_g = np.empty(n, dtype=np.int64)
    out_w = np.empty(n, dtype=np.float64)
    cdef int64_t[::1] gv = out_g
    cdef double[::1] wv = out_w
    for i in range(n):
        if flag[cls[groups[i]]]:
            gv[m] = groups[i]
            wv[m] = mult[i]
            m += 1
    for i in range(npoor):
        flag[ks[i]] = 0
    flag[DEAD] = 0
    return out_g[:m], out_w[:m]


def split_bound(
    double c,
    double kappa,
    const int64_t[::1] groups,
    const double[::1] weights,
    double units,
    const int64_t[::1] cls,
    const double[:, ::1] tab,
):
    """Lower bound of ``rho`` from a recorded split (see ``MESEngine._refresh``).

    Returns ``(value, err, slope, slope_err)`` of the affine bound ``(c - P) / R / kappa``.
    """
    cdef Py_ssize_t n = groups.shape[0], i
    cdef int64_t k
    cdef double paid = 0.0, perr = 0.0, s = 0.0, se = 0.0, sa = 0.0, w
    for i in range(n):
        k = cls[groups[i]]
        w = weights[i]
        paid += w * tab[k, 0]
        perr += w * tab[k, 1]
        s += w * tab[k, 2]
        se += w * tab[k, 3]
        sa += w * tab[k, 4]
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
        dt = (k - lb[2, p]) * scale
        moved = lb[1, p] * dt
        value = lb[0, p] + moved
        err = lb[3, p] + lb[4, p] * fabs(dt) + 2 * U * (fabs(lb[0, p]) + fabs(moved))
        ls = lb[1, p]
        lo = value - rho - (err + rho_err + 2 * U * (fabs(value) + arho))
        slope = ls - drho - (lb[4, p] + drho_err + 2 * U * (fabs(ls) + adrho))
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
    index), as two lists: projects and bounds."""
    cdef Py_ssize_t n = low.shape[0], p, m = 0
    cdef Bin* items = <Bin*> malloc((n + 1) * sizeof(Bin))
    if items == NULL:
        raise MemoryError()
    try:
        for p in range(n):
            if alive[p] and not low[p] > best_hi:
                items[m].b = low[p] if low[p] == low[p] else INFINITY  # NaN: last
                items[m].k = p
                m += 1
        qsort(items, m, sizeof(Bin), _by_budget)
        return [items[p].k for p in range(m)], [items[p].b for p in range(m)]
    finally:
        free(items)

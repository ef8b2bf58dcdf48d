"""The compiled inner loops of the MES engine against exact arithmetic.

Budgets are small integers here, so float64 holds them exactly and every quantity the
kernels compute has a known exact value: a certified answer must be the exact one, and the
kernel may hand a project to the exact code only on a real tie. Budgets are drawn from a few
values so that many classes share one (ties in the split) and up to sixty classes exercise
the quickselect that replaced sorting. The NumPy twins of the kernels (used when the
extension is not built) must agree with them.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coproduce.methods.pb.mes import numpy_kernels

_kernels = pytest.importorskip(
    "coproduce.methods.pb._kernels", reason="the compiled kernels are not built"
)

AFFORDABLE, EXACT = 1, 2


@st.composite
def supporters(draw):
    """A class table (class 0: no money left) and the supporter groups of one project."""
    n_classes = draw(st.integers(2, 60))
    budgets = [0] + [
        draw(st.sampled_from([1, 2, 3, 5, 8, 13, 40, 100])) for _ in range(n_classes - 1)
    ]
    n_groups = draw(st.integers(1, 80))
    cls = np.array([draw(st.integers(0, n_classes - 1)) for _ in range(n_groups)], np.int64)
    mult = np.array([draw(st.integers(1, 5)) for _ in range(n_groups)], np.float64)
    tab = np.zeros((n_classes, 5))
    tab[:, 0] = budgets
    tab[1:, 2] = 1.0  # every class gains one unit per increment (as before any payment)
    tab[1:, 4] = 1.0
    money = sum(int(m) * budgets[c] for c, m in zip(cls.tolist(), mult.tolist(), strict=True))
    cost = draw(st.integers(1, max(2 * money, 1)))
    return tab, cls, mult, cost


def exact_split(tab, cls, mult, cost):
    """Bins (class -> voters), and the exact pi with the poor classes, or None if unaffordable."""
    bins: dict[int, int] = {}
    for c, m in zip(cls.tolist(), mult.tolist(), strict=True):
        if c:
            bins[c] = bins.get(c, 0) + int(m)
    budget = {c: Fraction(int(tab[c, 0])) for c in bins}
    if sum(n * budget[c] for c, n in bins.items()) < cost:
        return bins, None, None
    paid, units = Fraction(0), sum(bins.values())
    for c in sorted(bins, key=budget.__getitem__):
        pi = (cost - paid) / units
        if pi <= budget[c]:
            break
        paid += bins[c] * budget[c]
        units -= bins[c]
    return bins, pi, {c for c in bins if budget[c] < pi}


def evaluate(tab, cls, mult, cost):
    """The kernel's evaluation of one project supported by every group, and the kernel.

    The class table gets room for the classes funding may create after the drawn ones.
    """
    n_classes = len(tab)
    groups = np.arange(len(cls), dtype=np.int64)
    kern = _kernels.Tables([groups], [mult], [float(mult.sum())], [cost], [1], True)
    room = np.zeros((n_classes + len(cls), 5))
    room[:n_classes] = tab
    refs = [np.zeros(len(room)) for _ in range(4)]
    kern.bind(room, cls, *refs)
    kern.aslopemax = 1.0
    return kern, room, kern.evaluate(0)


@settings(max_examples=300, deadline=None)
@given(supporters())
def test_evaluate_is_certified_or_hands_a_real_tie_to_the_exact_code(case) -> None:
    tab, cls, mult, cost = case
    bins, pi, poor = exact_split(tab, cls, mult, cost)
    _, _, out = evaluate(tab, cls, mult, cost)
    if pi is None:
        assert out[0] == 0 and out[1] > 0  # unaffordable, and stays so for a while
        return
    assert out[0] != 0
    budgets = {Fraction(int(tab[c, 0])) for c in bins}
    if out[0] == EXACT:
        total = sum(n * int(tab[c, 0]) for c, n in bins.items())
        assert total == cost or pi in budgets, "only a real tie may need the exact code"
        assert dict(zip(out[1].tolist(), out[2].tolist(), strict=True)) == bins
        return
    _, ks, ns, npoor, units, pi_f, pi_err, _, _, dist = out
    assert dict(zip(ks.tolist(), ns.tolist(), strict=True)) == bins
    assert set(ks[:npoor].tolist()) == poor
    assert units == sum(bins[c] for c in bins if c not in poor)
    assert abs(Fraction(pi_f) - pi) <= Fraction(pi_err)
    assert dist >= 0.0


@settings(max_examples=200, deadline=None)
@given(supporters())
def test_fund_moves_supporters_to_their_new_budgets(case) -> None:
    tab, cls, mult, cost = case
    before = cls.copy()
    kern, big, out = evaluate(tab, cls, mult, cost)
    if out[0] != AFFORDABLE:
        return
    _, ks, ns, npoor, units, pi, pi_err, dpi, dpi_err, _ = out
    K = len(tab)
    old, new, rich = kern.fund(0, ks, ns, npoor, pi, pi_err, dpi, dpi_err, K, 0.0)
    assert old.tolist() == before.tolist()
    assert new.tolist() == cls.tolist()
    assert rich == units
    poor = set(ks[:npoor].tolist())
    for b, a in zip(before.tolist(), cls.tolist(), strict=True):
        if b == 0 or b in poor:
            assert a == 0  # paid everything
        else:
            assert a >= K
            assert abs(big[a, 0] - (tab[b, 0] - pi)) <= big[a, 1]
    paid = sum(int(m) * (tab[b, 0] - big[a, 0]) for b, a, m in zip(before, cls, mult, strict=True))
    assert abs(paid - cost) < 1e-6 * cost


@settings(max_examples=200, deadline=None)
@given(supporters())
def test_split_bound_is_a_lower_bound_of_pi(case) -> None:
    tab, cls, mult, cost = case
    kern, _, out = evaluate(tab, cls, mult, cost)
    if out[0] != AFFORDABLE:
        return
    _, ks, _, npoor, units, pi, _, _, _, _ = out
    kept, weights = kern.split_groups(0, ks, npoor)
    poor = set(ks[:npoor].tolist()) | {0}
    assert kept.tolist() == [g for g in range(len(cls)) if cls[g] in poor]
    value, err, _, _ = kern.split_bound(0, kept, weights, units)
    # With today's budgets the recorded split gives pi itself.
    assert abs(value - pi) <= err + 1e-9 * pi


def _numpy_twin(tab, cls, mult, cost):
    """NumPy ``Tables`` on copies of the arrays :func:`evaluate` gives the compiled kernel."""
    groups = np.arange(len(cls), dtype=np.int64)
    twin = numpy_kernels.Tables([groups], [mult], [float(mult.sum())], [cost], [1], True)
    room = np.zeros((len(tab) + len(cls), 5))
    room[: len(tab)] = tab
    cls = cls.copy()
    twin.bind(room, cls, *[np.zeros(len(room)) for _ in range(4)])
    twin.aslopemax = 1.0
    return twin, room, cls


@settings(max_examples=200, deadline=None)
@given(supporters())
def test_numpy_twin_funds_and_records_splits_like_the_kernel(case) -> None:
    tab, cls, mult, cost = case
    twin, twin_tab, twin_cls = _numpy_twin(tab, cls, mult, cost)
    kern, big, out = evaluate(tab, cls, mult, cost)
    if out[0] != AFFORDABLE:
        return
    _, ks, ns, npoor, units, pi, pi_err, dpi, dpi_err, _ = out
    kept, weights = kern.split_groups(0, ks, npoor)
    twin_kept, twin_weights = twin.split_groups(0, ks, npoor)
    assert twin_kept.tolist() == kept.tolist()
    assert twin_weights.tolist() == weights.tolist()
    value, err, slope, slope_err = kern.split_bound(0, kept, weights, units)
    twin_bound = twin.split_bound(0, kept, weights, units)
    # Sums may be added in another order: equal within the rounding of a few additions.
    for ours, theirs in zip(twin_bound, (value, err, slope, slope_err), strict=True):
        assert abs(ours - theirs) <= 1e-12 * max(1.0, abs(theirs))
    K = len(tab)
    old, new, rich = kern.fund(0, ks, ns, npoor, pi, pi_err, dpi, dpi_err, K, 0.0)
    twin_old, twin_new, twin_rich = twin.fund(0, ks, ns, npoor, pi, pi_err, dpi, dpi_err, K, 0.0)
    assert (twin_old.tolist(), twin_new.tolist(), twin_rich) == (old.tolist(), new.tolist(), rich)
    assert twin_cls.tolist() == cls.tolist()
    assert np.array_equal(twin_tab, big)  # element-wise, the same operations in the same order
    assert (twin.errmax, twin.eslopemax, twin.aslopemax) == (
        kern.errmax,
        kern.eslopemax,
        kern.aslopemax,
    )


@st.composite
def bound_tables(draw):
    """Lower-bound tables (some NaN or infinite), a winner and the projects' state."""
    n = draw(st.integers(1, 12))
    value = st.one_of(st.floats(-5, 50), st.sampled_from([0.0, 1.0, np.inf, np.nan]))
    lb = np.array(
        [
            [draw(value) for _ in range(n)],
            [draw(st.floats(-2, 2)) for _ in range(n)],
            [float(draw(st.integers(0, 5))) for _ in range(n)],
            [draw(st.floats(0, 1e-9)) for _ in range(n)],
            [draw(st.floats(0, 1e-9)) for _ in range(n)],
        ]
    )
    flags = st.lists(st.booleans(), min_size=n, max_size=n)
    others = np.array(draw(flags), dtype=np.uint8)
    alive = np.array(draw(flags), dtype=np.uint8)
    ku = np.array([draw(st.sampled_from([0.0, 3.0, 7.5, np.inf])) for _ in range(n)])
    tied = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=2))
    win = (draw(st.floats(0, 10)), 1e-12, draw(st.floats(-1, 1)), 1e-12)
    return lb, others, alive, ku, float(draw(st.integers(0, 5))), win, tied


@settings(max_examples=300, deadline=None)
@given(bound_tables(), st.sampled_from([1.0, 100.0]))
def test_numpy_certificate_and_ranking_match_the_kernel(case, scale: float) -> None:
    lb, others, alive, ku, k, win, tied = case
    args = (lb, others, alive, ku, k, scale, *win, tied)
    assert numpy_kernels.certificate(*args) == _kernels.certificate(*args)
    low = lb[0] - lb[3]
    for best_hi in (np.inf, 3.0, float(np.nanmedian(low)) if np.isfinite(low).any() else 0.0):
        assert numpy_kernels.ranked(alive, low, best_hi) == _kernels.ranked(alive, low, best_hi)

"""Integer, grouped view of an election that the tallying rules work on.

Why a separate compiled form: the rules compare sums of money exactly, so costs, the budget and
points are scaled to integers once (``money_scale``, ``points_scale``) and every later exact
computation is integer or :class:`fractions.Fraction` arithmetic. Voters with identical ballots
always hold identical budgets under the Method of Equal Shares, so they are merged into groups
with a multiplicity (a city-wide file has ~90k voters but far fewer distinct ballots), which
also makes every result independent of the order of voters in the file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .pabulib import Election

__all__ = ["UTILITIES", "TIE_BREAKS", "Profile", "compile_profile", "tie_break_order"]

#: ``cost``: Cost_Sat (utility = cost of an approved project), ``cardinality``: Cardinality_Sat
#: (1 per approved project), ``points``: Additive_Cardinal_Sat (utility = points given).
UTILITIES = ("cost", "cardinality", "points")
#: ``id``: project-id string order (pabutools' default), ``numeric-id``: natural order
#: (``2`` before ``10``), ``reverse-id``: reverse string order.
TIE_BREAKS = ("id", "numeric-id", "reverse-id")

_DIGITS = re.compile(r"(\d+)")


def _natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text) if part
    )


def tie_break_order(ids: list[str], tie_break: str) -> list[int]:
    """Rank of every project (0 = wins ties) for a tie-breaking name of :data:`TIE_BREAKS`."""
    if tie_break == "id":
        order = sorted(range(len(ids)), key=lambda i: ids[i])
    elif tie_break == "numeric-id":
        order = sorted(range(len(ids)), key=lambda i: (_natural_key(ids[i]), ids[i]))
    elif tie_break == "reverse-id":
        order = sorted(range(len(ids)), key=lambda i: ids[i], reverse=True)
    else:
        raise ValueError(f"unknown tie-break {tie_break!r} (known: {', '.join(TIE_BREAKS)})")
    rank = [0] * len(ids)
    for r, i in enumerate(order):
        rank[i] = r
    return rank


@dataclass(eq=False)
class Profile:
    """Election compiled for one utility.

    Money is in units of ``1 / money_scale`` currency (so ``costs`` and ``budget`` are ints);
    satisfactions are ints (points are multiplied by ``points_scale``). Group ``g`` stands for
    ``mult[g]`` voters with the same ballot; ``sup[p]`` lists the groups with positive
    satisfaction for project ``p`` and ``sat[p]`` their satisfaction per voter (``None`` when the
    utility is binary, i.e. the same for every supporter, as for ``cost`` and ``cardinality``);
    ``group_of[i]`` is the group of the ``i``-th ballot of the election.
    For the Method of Equal Shares, project ``p`` is compared by ``pi / kappa[p]`` where ``pi``
    is the payment per unit of ``sat``: ``kappa`` is the cost for ``cost`` utility, else 1.
    """

    ids: list[str]
    costs: list[int]
    money_scale: int
    budget: int
    n_voters: int
    utility: str
    points_scale: int
    mult: np.ndarray
    sup: list[np.ndarray]
    sat: list[np.ndarray] | None
    total_sat: list[int]
    kappa: list[int]
    n_groups: int
    group_of: np.ndarray

    @property
    def binary(self) -> bool:
        return self.sat is None

    def money(self, value: int | Fraction) -> Fraction:
        """Scaled money back to currency units."""
        return Fraction(value) / self.money_scale


def _lcm_of_denominators(values) -> int:
    scale = 1
    for v in values:
        if isinstance(v, Fraction) and v.denominator != 1:
            scale = math.lcm(scale, v.denominator)
    return scale


def _group_rows(n: int, indptr: np.ndarray, keys: np.ndarray, pad: int):
    """Group ballots (rows of ``keys`` in CSR layout) that are equal as sets.

    Returns ``(unique_rows, inverse, counts)`` where rows are sorted and padded with ``pad``.
    """
    lengths = np.diff(indptr)
    width = int(lengths.max()) if n else 0
    if width == 0:
        rows = np.full((n, 1), pad, dtype=np.int64)
    else:
        rows = np.full((n, width), pad, dtype=np.int64)
        owner = np.repeat(np.arange(n), lengths)
        col = np.arange(len(keys)) - np.repeat(indptr[:-1], lengths)
        rows[owner, col] = keys
        rows.sort(axis=1)
    return _unique_rows(rows, pad)


def _unique_rows(rows: np.ndarray, pad: int):
    """``np.unique(rows, axis=0, ...)``, much faster when rows fit in one int64 key."""
    width = rows.shape[1]
    bits = max(int(pad).bit_length(), 1)
    if width * bits <= 63:
        key = np.zeros(len(rows), dtype=np.int64)
        for j in range(width):
            key = (key << bits) | rows[:, j]
        ukey, first, inverse, counts = np.unique(
            key, return_index=True, return_inverse=True, return_counts=True
        )
        return rows[first], inverse.reshape(-1), counts
    # Wider rows: sort them lexicographically, then cut where consecutive rows differ.
    order = np.lexsort(rows.T[::-1])
    sorted_rows = rows[order]
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = (sorted_rows[1:] != sorted_rows[:-1]).any(axis=1)
    group_sorted = np.cumsum(starts) - 1
    inverse = np.empty(len(rows), dtype=np.int64)
    inverse[order] = group_sorted
    first = np.flatnonzero(starts)
    counts = np.diff(np.append(first, len(rows)))
    return sorted_rows[first], inverse, counts


def compile_profile(election: Election, utility: str = "cost") -> Profile:
    """Compile ``election`` for ``utility`` (one of :data:`UTILITIES`).

    Matches pabutools: for ``cost`` and ``cardinality`` every project listed in a ballot counts as
    approved, whatever the vote type (ordinal rankings and cumulative points included); for
    ``points`` a voter supports the projects to which she gave positive points. pabutools keeps
    ordinal ballots as rankings and refuses ``Additive_Cardinal_Sat`` on them, so ``points`` on an
    ordinal election raises ``ValueError`` here too rather than inventing a scoring.
    """
    if utility not in UTILITIES:
        raise ValueError(f"unknown utility {utility!r} (known: {', '.join(UTILITIES)})")
    ballots = election.ballot_columns()
    projects = election.projects
    ids = [p.project_id for p in projects]
    pos = {pid: i for i, pid in enumerate(ids)}
    n_projects = len(ids)
    money_scale = _lcm_of_denominators([election.budget, *(p.cost for p in projects)])
    costs = [int(p.cost * money_scale) for p in projects]
    budget = int(election.budget * money_scale)
    indptr_l, indices_l = ballots.csr(pos)
    n = len(ballots)
    indptr = np.asarray(indptr_l, dtype=np.int64)
    indices = np.asarray(indices_l, dtype=np.int64)

    points_scale = 1
    if utility == "points":
        flat = ballots.flat_points
        if flat is None:
            raise ValueError(
                f"points utility needs cumulative or scoring votes, this election is "
                f"{election.vote_type!r} (pabutools' Additive_Cardinal_Sat refuses it too)"
            )
        points_scale = _lcm_of_denominators(flat)
        pts = np.asarray([int(x * points_scale) for x in flat], dtype=np.int64)
        keep = pts > 0
        owner = np.repeat(np.arange(n), np.diff(indptr))
        kept_len = np.bincount(owner[keep], minlength=n)
        indices, pts = indices[keep], pts[keep]
        indptr = np.concatenate(([0], np.cumsum(kept_len)))
        pmax = int(pts.max()) + 1 if len(pts) else 1
        if n_projects * pmax < 2**62:
            keys = indices * pmax + pts
            uniq, inverse, counts = _group_rows(n, indptr, keys, n_projects * pmax)
            valid = uniq < n_projects * pmax
            g_of, _ = np.nonzero(valid)
            proj = uniq[valid] // pmax
            satv = uniq[valid] % pmax
        else:  # astronomically large points: exact but slower grouping in Python
            g_of, proj, satv, counts, inverse = _group_python(n, indptr, indices, pts)
    else:
        uniq, inverse, counts = _group_rows(n, indptr, indices, n_projects)
        valid = uniq < n_projects
        g_of, _ = np.nonzero(valid)
        proj = uniq[valid]
        satv = None
    mult = counts.astype(np.int64)
    order = np.argsort(proj, kind="stable")
    g_sorted = g_of[order]
    bounds = np.searchsorted(proj[order], np.arange(n_projects + 1))
    sup = [g_sorted[bounds[p] : bounds[p + 1]] for p in range(n_projects)]
    if satv is not None:
        s_sorted = satv[order]
        sat = [s_sorted[bounds[p] : bounds[p + 1]] for p in range(n_projects)]
        total_sat = [int((mult[sup[p]] * sat[p]).sum()) for p in range(n_projects)]
        kappa = [1] * n_projects
    else:
        sat = None
        count = [int(mult[sup[p]].sum()) for p in range(n_projects)]
        if utility == "cost":
            total_sat = [count[p] * costs[p] for p in range(n_projects)]
            kappa = costs
            # Cost utility of a free project is 0: nobody "supports" it (as in pabutools).
            sup = [s if costs[p] > 0 else s[:0] for p, s in enumerate(sup)]
        else:
            total_sat = count
            kappa = [1] * n_projects
    return Profile(
        ids=ids,
        costs=costs,
        money_scale=money_scale,
        budget=budget,
        n_voters=n,
        utility=utility,
        points_scale=points_scale,
        mult=mult,
        sup=sup,
        sat=sat,
        total_sat=total_sat,
        kappa=list(kappa),
        n_groups=len(mult),
        group_of=inverse,
    )


def _group_python(n, indptr, indices, pts):
    groups: dict[tuple, int] = {}
    counts: list[int] = []
    inverse: list[int] = []
    ip, ix, pt = indptr.tolist(), indices.tolist(), pts.tolist()
    for i in range(n):
        key = tuple(sorted(zip(ix[ip[i] : ip[i + 1]], pt[ip[i] : ip[i + 1]], strict=True)))
        g = groups.get(key)
        if g is None:
            g = groups[key] = len(counts)
            counts.append(0)
        counts[g] += 1
        inverse.append(g)
    g_of, proj, satv = [], [], []
    for key, g in groups.items():
        for p, s in key:
            g_of.append(g)
            proj.append(p)
            satv.append(s)
    return (
        np.asarray(g_of, dtype=np.int64),
        np.asarray(proj, dtype=np.int64),
        np.asarray(satv, dtype=object),
        np.asarray(counts, dtype=np.int64),
        np.asarray(inverse, dtype=np.int64),
    )

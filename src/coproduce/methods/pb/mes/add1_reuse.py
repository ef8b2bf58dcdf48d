"""What Add1 reuses between increments: kept rounds, skipped increments, carried bounds.

Add1 reruns MES with ``t, t + 1, t + 2, ...``. For a fixed sequence of decisions every budget
and every ``rho`` is an affine function of ``t``, so each round knows (lazily, see
:mod:`.bounds`) up to which increment its decisions provably stay the same. A rerun at a
larger increment keeps the rounds still valid, recomputes an invalid round in place (its old
winner evaluated first) and keeps the following rounds when that round funds the same
project with the same split, since every later budget is then the same affine function of
``t``; otherwise it recomputes the rest. When no round can change, the rerun is skipped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .records import Evaluation, Round
from .tables import INF, LB_AT


def split_keys(
    keys: list[int] | np.ndarray, order: Sequence[int] | np.ndarray, npoor: int
) -> tuple[list[int], list[int]] | tuple[np.ndarray, np.ndarray]:
    """Sorted bin keys of the poor and of the rich side of a split (to compare splits)."""
    if isinstance(keys, list):
        return sorted(keys[i] for i in order[:npoor]), sorted(keys[i] for i in order[npoor:])
    if isinstance(order, range):  # compiled evaluation: bins already in split order
        return np.sort(keys[:npoor]), np.sort(keys[npoor:])
    o = np.asarray(order, dtype=np.int64)
    return np.sort(keys[o[:npoor]]), np.sort(keys[o[npoor:]])


class Add1ReuseMixin:
    """Reruns at a larger increment reusing earlier rounds (part of ``MESEngine``).

    Works on the engine's list of rounds, the class table (dropping classes of rounds that
    are recomputed) and the projects' state, which it reloads from a round's snapshot.
    """

    def next_change(self) -> float:
        """The outcome provably stays the same for every increment below this value."""
        return min((self._kmax(j) for j in range(len(self.rounds))), default=INF)

    def next_increment(self) -> int:
        """Smallest increment above the current one whose outcome may differ.

        Checks the next increment first, so that validity is only computed for the rounds
        that are kept when a rerun is needed anyway.
        """
        assert self.k is not None
        if self._first_invalid(self.k + 1) is not None:
            return self.k + 1
        nxt = self.next_change()
        if nxt == INF:
            raise RuntimeError("MES outcome never changes as budgets grow (Add1 would not stop)")
        return max(self.k + 1, math.ceil(nxt))

    def _first_invalid(self, k: int) -> int | None:
        """The first round whose decisions may differ at increment ``k`` (None: none)."""
        best = INF
        for j in range(len(self.rounds)):
            best = min(best, self._kmax(j))
            if not k < best:
                return j
        return None

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
                rec.k, rec.kmax = k, None
                rec.lb, rec.alive, rec.ku, rec.pending = new.lb, new.alive, new.ku, new.pending
                if win.xpi is not None:
                    self.xpi[len(rounds)] = win.xpi
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

    def _carry_bounds(self, nxt: Round) -> None:
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
        newer = self.lb[LB_AT] > lb[LB_AT]
        lb[:, newer] = self.lb[:, newer]
        dead = nxt.alive & self.pending & ~self.alive
        nxt.alive[dead] = False
        nxt.ku[dead] = self.ku[dead]

    def _reuse(self, rec: Round) -> None:
        """Apply an old round unchanged (its winner's supporters move to its classes)."""
        if rec.w >= 0:
            self.cls[self.prof.sup[rec.w]] = rec.new_cls
            self.alive[rec.w] = False
            self.pending[rec.w] = False
            self.selected.append(rec.w)
        self.rounds.append(rec)

    def _load(self, rec: Round, k: int) -> None:
        """Project state (bounds, live and pending projects) at the start of ``rec`` for ``k``."""
        self.lb = rec.lb.copy()
        self.ku = rec.ku.copy()
        self.pending = rec.pending.copy()
        # Projects removed as unaffordable may have become affordable at increment k.
        self.alive = rec.alive | (self.pending & ~(k < self.ku))
        self.ku[self.alive] = INF
        self._refresh_low()

    def _drop_classes(self, k_start: int) -> None:
        """Forget the classes created from ``k_start`` on (only unused ones may be dropped)."""
        if k_start >= self.K:
            return
        self.K = k_start
        del self.c_parent[k_start:]
        del self.c_round[k_start:]
        del self.c_s[k_start:]

    def _same_split(self, rec: Round, win: Evaluation) -> bool:
        """Whether ``win`` divides its supporters as round ``rec`` did (same bins each side)."""
        if rec.split is None:
            rec.split = split_keys(*rec.split_of)
        old_poor, old_rich = rec.split
        poor, rich = split_keys(win.keys, win.order, win.npoor)
        if isinstance(poor, list) != isinstance(old_poor, list):
            return False
        if isinstance(poor, list):
            return poor == old_poor and rich == old_rich
        return np.array_equal(poor, old_poor) and np.array_equal(rich, old_rich)

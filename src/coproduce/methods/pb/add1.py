"""The Add1 completion of the Method of Equal Shares, optionally on two processes.

pabutools' ``voter_budget_increment=1`` reruns MES with every voter's budget raised by one
currency unit at a time; the answer is the outcome of the first increment that is exhaustive
(among the projects MES may fund), or, when an increment would overspend, the outcome of the
increment before it. :class:`~.mes.MESEngine` skips increments whose outcome provably does not
change and reuses the rounds that stay the same, so each increment costs a fraction of a run.

The increments are still visited in order, so the loop is sequential; but it can start from any
increment. With ``jobs=2`` the range is cut in two where the work should balance (work per
increment is nearly constant, and the stopping increment is estimated from the spending of the
plain MES outcome): a forked process scans the upper half while this one scans the lower half.
The first stop in increment order wins, so the answer is the same as the sequential loop's
whatever the estimate; a bad estimate only costs the speed-up.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

from .mes import MESEngine, MESStats
from .profile import Profile

__all__ = ["Add1Result", "add1"]

Progress = Callable[[int, int], None]

#: Below this much estimated work (seconds) a second process costs more than it saves:
#: forking, the child's first run and the pipe take a few tens of milliseconds.
_MIN_WORK = 0.2


@dataclass(slots=True)
class Add1Result:
    """``chosen`` (project indices in funding order) is the outcome of increment ``k_chosen``;
    ``k_stop`` is the increment that stopped the loop (pabutools' count of increments)."""

    chosen: list[int]
    k_stop: int
    k_chosen: int
    stats: MESStats


@dataclass(slots=True)
class _Scan:
    """How a scan of the increments from ``start`` ended.

    ``stopped``: ``chosen`` is the answer; ``chosen is None`` means that the first increment of
    the scan already overspends, so the answer is the outcome just before ``start``. Not
    stopped: ``chosen`` is the outcome of every increment from ``k_chosen`` up to ``end``.
    """

    stopped: bool
    k_stop: int
    chosen: list[int] | None
    k_chosen: int
    stats: MESStats | None = None


def add1(
    prof: Profile, rank: list[int], progress: Progress | None = None, jobs: int = 1
) -> Add1Result:
    """The Add1 outcome of MES on ``prof`` (see the module docstring); an :class:`Add1Result`."""
    engine = MESEngine(prof, rank)
    jobs = jobs if jobs > 1 and "fork" in multiprocessing.get_all_start_methods() else 1
    started = time.perf_counter()
    first = engine.run(0)
    seconds = time.perf_counter() - started
    # The first increment's outcome gives the estimate of where the loop stops.
    split = _split_point(prof, first, seconds) if jobs > 1 else None
    if split is None:
        scan = _scan(engine, prof, 0, first, None, progress)
        return Add1Result(scan.chosen, scan.k_stop, scan.k_chosen, engine.stats)
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_upper_half, args=(sender, prof, rank, split), daemon=True)
    child.start()
    sender.close()
    try:
        low = _scan(engine, prof, 0, first, split, progress)
        if low.stopped:
            return Add1Result(low.chosen, low.k_stop, low.k_chosen, engine.stats)
        high = _receive(receiver, progress)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        receiver.close()
    stats = _merged(engine.stats, high.stats)
    if high.chosen is None:  # the first increment of the upper half overspends
        return Add1Result(low.chosen, high.k_stop, high.k_stop - 1, stats)
    return Add1Result(high.chosen, high.k_stop, high.k_chosen, stats)


def _split_point(prof: Profile, outcome: list[int], seconds: float) -> int | None:
    """Where to cut the increments in two, or None when one process is enough.

    Spending grows roughly in proportion to the voters' budget, so the loop should stop near
    ``t0 * (budget / spent - 1)`` increments, ``t0`` being the initial budget per voter.
    ``seconds`` is the time the first run took: a later increment costs about half of it
    (0.3 to 1 on the shared elections), so the work of the loop is about ``estimate *
    seconds / 2``.
    """
    spent = sum(prof.costs[p] for p in outcome)
    if spent <= 0 or spent >= prof.budget:
        return None
    t0 = prof.budget / prof.n_voters / prof.money_scale
    estimate = t0 * (prof.budget / spent - 1)
    if estimate < 2 or estimate * seconds / 2 < _MIN_WORK:
        return None
    return int(estimate // 2)


def _scan(
    engine: MESEngine,
    prof: Profile,
    k: int,
    outcome: list[int],
    end: int | None,
    progress: Progress | None,
) -> _Scan:
    """Visit the increments from ``k`` (whose ``outcome`` the engine has just computed) up
    to ``end`` (excluded) until the loop stops."""
    among = engine.cands
    previous: list[int] | None = None
    k_previous = -1
    while True:
        if progress is not None:
            progress(k, len(outcome))
        if sum(prof.costs[p] for p in outcome) > prof.budget:
            return _Scan(True, k, previous, k - 1)
        if _exhaustive(prof, outcome, among):
            return _Scan(True, k, outcome, k)
        previous, k_previous = outcome, k
        k = engine.next_increment()
        if end is not None and k >= end:
            return _Scan(False, k, previous, k_previous)
        outcome = engine.run(k)


def _exhaustive(prof: Profile, chosen: list[int], among) -> bool:
    """No project of ``among`` left out of ``chosen`` fits in the money left."""
    spent = sum(prof.costs[p] for p in chosen)
    taken = set(chosen)
    return all(p in taken or spent + prof.costs[p] > prof.budget for p in among)


class _Throttled:
    """Forward progress through the pipe at most ten times a second (the pipe must not fill)."""

    def __init__(self, sender) -> None:
        self.sender = sender
        self.last = 0.0

    def __call__(self, k: int, n: int) -> None:
        now = time.monotonic()
        if now - self.last >= 0.1:
            self.last = now
            self.sender.send(("progress", k, n))


def _upper_half(sender, prof: Profile, rank: list[int], start: int) -> None:
    """Child process: scan from ``start`` and send the result (or the error) back."""
    try:
        engine = MESEngine(prof, rank)
        scan = _scan(engine, prof, start, engine.run(start), None, _Throttled(sender))
        scan.stats = engine.stats
        sender.send(("done", scan))
    except BaseException as exc:  # reported to the parent, which raises it
        sender.send(("error", exc))
    finally:
        sender.close()


def _receive(receiver, progress: Progress | None) -> _Scan:
    while True:
        try:
            message = receiver.recv()
        except EOFError:
            raise RuntimeError("the Add1 worker process ended without a result") from None
        if message[0] == "progress":
            if progress is not None:
                progress(message[1], message[2])
        elif message[0] == "error":
            raise message[1]
        else:
            return message[1]


def _merged(a: MESStats, b: MESStats | None) -> MESStats:
    if b is None:
        return a
    return MESStats(**{f.name: getattr(a, f.name) + getattr(b, f.name) for f in fields(a)})

"""Benchmark of a budget's live turnout statistics at 400,000 ballots.

Creates one budget with 400,000 counted ballots (online, paper and imported, over 30 days and
12 areas) in a throwaway SQLite database, then times ``budget_statistics`` (three grouped counts
in the database, as the results page runs them) against a peer measured in the same run: the
same statistics counted in Python over every ballot row, as a page without database aggregation
would. Prints both times and the ratio.

    .venv/bin/python bench/turnout.py                 # 400,000 ballots
    .venv/bin/python bench/turnout.py --ballots 50000
"""

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="coproduce-bench-turnout-")
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(workdir) / 'turnout.sqlite3'}"
    os.environ["COPRODUCE_HOME"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from coproduce.commissioning import selectors, services
    from coproduce.commissioning.models import Ballot, Budget
    from coproduce.initiatives.models import Initiative, Service

    call_command("migrate", verbosity=0)
    service = Service.objects.create(name="City budget", sector="city_budget")
    initiative = Initiative.objects.create(
        title="City budget",
        slug="city",
        service=service,
        level="co_governance",
        area="City",
        summary="A city-wide participatory budget.",
        status="active",
    )
    initiative.phases.create(kind="commission", status="open")
    budget = services.budget_create(
        actor=None,
        initiative=initiative,
        title="City budget",
        slug="city-budget",
        areas=[("City", Decimal(10_000_000))],
        stage=Budget.Stage.CLOSED,
    )
    rng = random.Random(2026)
    areas = [f"District {n}" for n in range(1, 13)]
    start = timezone.now() - dt.timedelta(days=30)
    channels = ["online"] * 8 + ["paper", "import"]
    started = time.perf_counter()
    batch = []
    for n in range(args.ballots):
        cast = start + dt.timedelta(seconds=rng.randrange(30 * 86400))
        batch.append(
            Ballot(
                budget=budget,
                voter_code=f"v{n}",
                area=rng.choice(areas),
                channel=rng.choice(channels),
                receipt=f"R{n:011d}",
                cast_at=cast,
                cast_on=timezone.localdate(cast),
                updated_at=cast,
            )
        )
        if len(batch) == 20_000:
            Ballot.objects.bulk_create(batch)
            batch.clear()
    Ballot.objects.bulk_create(batch)
    print(f"created {args.ballots:,} ballots in {time.perf_counter() - started:.1f} s")

    def ours():
        return selectors.budget_statistics(budget)

    def peer():
        by_channel, by_area, by_day = Counter(), Counter(), Counter()
        for channel, area, cast in (
            Ballot.objects.filter(budget=budget, counted=True)
            .values_list("channel", "area", "cast_at")
            .iterator(chunk_size=20_000)
        ):
            by_channel[channel] += 1
            by_area[area] += 1
            by_day[timezone.localdate(cast)] += 1
        return by_channel, by_area, by_day

    def best(fn):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times), result

    ours_s, stats = best(ours)
    peer_s, (by_channel, by_area, _by_day) = best(peer)
    assert stats.total == args.ballots == sum(by_channel.values())
    assert dict(stats.by_area) == dict(by_area)
    print(f"{'':28}{'median (s)':>12}")
    print(f"{'budget_statistics (ours)':28}{ours_s:12.3f}")
    print(f"{'Python loop (peer)':28}{peer_s:12.3f}")
    print(f"ratio peer / ours: {peer_s / ours_s:.1f}x  ({args.ballots:,} ballots, SQLite)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark of the contributions ledger at scale.

Records 1,000,000 contributions for one initiative (through ``contribution_record_many``, in
batches), confirms them all through ``contribution_confirm_bulk``, then times
``contribution_totals`` — the data of the initiative's totals page — against the 300 ms target on
SQLite.

It uses its own throwaway SQLite database in a temporary directory, never the demo's or a test
database. Run it with::

    .venv/bin/python bench/ledger.py              # 1,000,000 contributions
    .venv/bin/python bench/ledger.py --rows 100000
"""

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

TARGET_MS = 300.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="contributions to record")
    parser.add_argument("--batch", type=int, default=50_000, help="contributions per service call")
    parser.add_argument("--people", type=int, default=2_000, help="distinct contributors")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of the totals query")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    workdir = tempfile.mkdtemp(prefix="coproduce-bench-ledger-")
    try:
        return run(args, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: str) -> int:
    """Everything after choosing the throwaway folder; returns the exit status."""
    database = Path(workdir) / "ledger.sqlite3"
    # Before Django starts: a throwaway database and home, nothing shared with the demo.
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["COPRODUCE_HOME"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from coproduce.initiatives.models import Initiative, Participation, Phase, Service
    from coproduce.initiatives.services import initiative_create
    from coproduce.ledger import selectors, services
    from coproduce.ledger.entries import ContributionDraft
    from coproduce.ledger.models import Capacity, Contribution, ContributionKind
    from coproduce.people.models import Membership, Organisation, Person

    print(f"database: {database}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")

    rng = random.Random(args.seed)
    council = Organisation.objects.create(name="City council", slug="council", sectors=["public"])
    charity = Organisation.objects.create(name="Tenants", slug="tenants", sectors=["third"])
    service = Service.objects.create(name="Fire prevention", sector="fire_rescue", funder=council)
    lead = Person.objects.create_user(email="lead@bench.invalid", display_name="Lead")
    # Only an administrator opens an initiative; the lead runs it from then on.
    admin = Person.objects.create_superuser(
        email="admin@bench.invalid", password=None, display_name="Administrator"
    )
    initiative = initiative_create(
        actor=admin,
        title="Safe and Well visits",
        slug="bench",
        service=service,
        level=Initiative.Level.CO_PRODUCTION,
        area="Riverside",
        summary="Benchmark",
        status=Initiative.Status.ACTIVE,
        host=council,
        co_leads=[(lead, council)],
        phases={
            kind: {
                "starts_on": dt.date(2025, 1, 1) + dt.timedelta(days=91 * index),
                "ends_on": dt.date(2025, 1, 1) + dt.timedelta(days=91 * index + 90),
            }
            for index, kind in enumerate(Phase.ORDER)
        },
    )
    for kind, work_type, amount in [
        (ContributionKind.TIME, "", Decimal("14.50")),
        (ContributionKind.TIME, "home visit", Decimal("21.00")),
        (ContributionKind.ROOMS, "", Decimal("30.00")),
        (ContributionKind.MATERIALS, "", Decimal("5.00")),
    ]:
        services.valuation_rate_set(
            actor=lead, initiative=initiative, kind=kind, work_type=work_type, amount=amount
        )
    people = Person.objects.bulk_create(
        [
            Person(email=f"p{n}@bench.invalid", display_name=f"Person {n}", password="!")
            for n in range(args.people)
        ]
    )
    Participation.objects.bulk_create(
        [
            Participation(
                person=person,
                initiative=initiative,
                role=Participation.Role.CITIZEN,
                channel=Participation.Channel.IMPORT,
                joined_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            )
            for person in people
        ]
    )
    Membership.objects.bulk_create(
        [Membership(person=p, organisation=charity, role="volunteer") for p in people[:200]]
    )

    kinds = [ContributionKind.TIME] * 8 + [ContributionKind.ROOMS, ContributionKind.MATERIALS]
    first_day = dt.date(2025, 1, 1)
    recorded = 0
    started = time.perf_counter()
    while recorded < args.rows:
        size = min(args.batch, args.rows - recorded)
        drafts = []
        for _ in range(size):
            index = rng.randrange(args.people)
            roll = rng.random()
            if roll < 0.6:
                capacity, organisation = Capacity.CITIZEN, None
            elif roll < 0.85 or index >= 200:
                capacity, organisation = Capacity.PROFESSIONAL, None
            else:
                capacity, organisation = Capacity.ORGANISATION, charity
            drafts.append(
                ContributionDraft(
                    person=people[index],
                    kind=rng.choice(kinds),
                    quantity=Decimal(rng.randint(1, 16)) / 2,
                    occurred_on=first_day + dt.timedelta(days=rng.randrange(365)),
                    capacity=capacity,
                    organisation=organisation,
                    work_type="home visit" if rng.random() < 0.3 else "",
                )
            )
        services.contribution_record_many(
            actor=lead,
            initiative=initiative,
            drafts=drafts,
            source=Contribution.Source.SCRIPT,
        )
        recorded += size
        elapsed = time.perf_counter() - started
        print(f"\rrecorded {recorded:>9,} contributions in {elapsed:6.1f} s", end="", flush=True)
    record_seconds = time.perf_counter() - started
    print()

    started = time.perf_counter()
    confirmed = services.contribution_confirm_bulk(actor=lead, initiative=initiative)
    confirm_seconds = time.perf_counter() - started
    print(f"confirmed {confirmed:,} contributions in {confirm_seconds:.1f} s (one UPDATE)")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    timings = []
    totals = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        totals = selectors.contribution_totals(initiative)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    best = min(timings)

    plan = selectors.contribution_cube_query(initiative).explain()

    print()
    print(f"contributions: {Contribution.objects.count():,} ({confirmed:,} confirmed)")
    print(
        f"record (contribution_record_many): {record_seconds:8.1f} s "
        f"({args.rows / record_seconds:,.0f} per second)"
    )
    print(f"confirm (contribution_confirm_bulk): {confirm_seconds:8.1f} s")
    print(
        f"totals (contribution_totals), {args.repeat} runs: median {median:.0f} ms, "
        f"best {best:.0f} ms, worst {max(timings):.0f} ms"
    )
    print(f"ratio to the {TARGET_MS:.0f} ms target: {median / TARGET_MS:.2f}")
    print(f"query plan: {plan}")
    assert totals is not None
    print(
        f"check: {totals.total.total_hours:,} hours, "
        f"{totals.total.total_value:,} {totals.currency} over {len(totals.by_month)} months"
    )
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

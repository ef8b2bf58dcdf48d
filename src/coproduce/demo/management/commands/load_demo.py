"""``coproduce load_demo [--seed N]``: load the demo data set once, then print how to sign in."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coproduce.demo.data import DEFAULT_SEED, DEMO_ACCOUNTS, DEMO_PASSWORD
from coproduce.demo.loader import DemoConflict, demo_counts, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo data set: six co-production initiatives modelled on published cases, "
        "with their organisations, people and participations. Running it again changes "
        "nothing and only prints the demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Seed for the generated names and dates (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--site-url",
            default=None,
            help="Where the site will be served, for the sign-in hint (default: SITE_URL).",
        )

    def handle(self, *args, seed: int, site_url: str | None, verbosity: int, **options) -> None:
        site_url = site_url or settings.SITE_URL

        def progress(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {line}")

        started = time.monotonic()
        try:
            loaded = demo_load(seed=seed, progress=progress)
        except DemoConflict as error:
            raise CommandError(str(error)) from error
        if loaded:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s.")
            )
        else:
            self.stdout.write(
                "The demo data set is already loaded; nothing was changed "
                "(to load it with another seed, start from an empty database)."
            )
        counts = demo_counts()
        self.stdout.write(
            f"In the database: {counts.initiatives} initiatives, {counts.organisations} "
            f"organisations, {counts.people} people, {counts.participations} participations."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        width = max(len(account.email) for account in DEMO_ACCOUNTS)
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<{width}}  {account.shows}")
        self.stdout.write(f"Sign in at {site_url.rstrip('/')}/people/login/")

"""``coproduce send_shift_reminders``: email everyone with a place on a shift that starts soon.

Safe to run every few minutes from cron or a systemd timer: each reminder is recorded when it
is sent, so it goes out once, however often the command runs or however many copies overlap.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from coproduce.delivery.services import shift_reminders_send


class Command(BaseCommand):
    help = "Email a reminder before each booked shift (idempotent: run it as often as you like)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=24.0,
            help="Remind people of shifts starting within this many hours (default 24).",
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="The site's address, for the links in the emails (default: SITE_URL).",
        )

    def handle(self, *args, hours: float, base_url: str | None, **options) -> None:
        if hours <= 0:
            self.stderr.write("--hours must be more than zero.")
            raise SystemExit(2)
        sent = shift_reminders_send(lead_time=dt.timedelta(hours=hours), base_url=base_url)
        self.stdout.write(f"{sent} reminder(s) sent.")

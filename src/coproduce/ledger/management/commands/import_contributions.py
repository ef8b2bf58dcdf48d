"""``coproduce import_contributions SLUG FILE``: the web page's CSV import, from the command line,
for files too large to upload. Same checks, same all-or-nothing rule, same audit entry."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.initiatives.models import Initiative
from coproduce.people.models import Person

from .services import contribution_import


class Command(BaseCommand):
    help = "Import contributions of an initiative from a CSV timesheet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("initiative", help="The initiative's short name (slug).")
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8).")
        parser.add_argument(
            "--as", dest="actor", required=True, help="Email of the co-lead doing the import."
        )
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="Import the good rows, report the bad."
        )
        parser.add_argument(
            "--confirm", action="store_true", help="Confirm the rows (the importer vouches)."
        )

    def handle(self, *args, initiative: str, file: Path, actor: str, **options) -> None:
        try:
            target = Initiative.objects.get(slug=initiative)
        except Initiative.DoesNotExist:
            raise CommandError(f"No initiative {initiative!r}.") from None
        try:
            person = Person.objects.get(email__iexact=actor)
        except Person.DoesNotExist:
            raise CommandError(f"No account with the email {actor!r}.") from None
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        self.stdout.write(f"Checking {file}…")
        report = contribution_import(
            actor=person,
            initiative=target,
            content=file.read_bytes(),
            skip_bad_rows=options["skip_bad_rows"],
            confirm=options["confirm"],
        )
        for problem in report.problems:
            self.stderr.write(str(problem))
        self.stdout.write(f"{report.rows} row(s) read, {report.imported} imported.")
        if report.rejected:
            raise CommandError("Nothing was imported.")

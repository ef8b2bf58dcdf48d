"""``coproduce import_pabulib INITIATIVE FILE.pb --as EMAIL --slug SLUG``: the web page's import
of a pabulib vote, from the command line (for files too large to upload). Same checks, same
audit entry; irregularities that pabutools reads anyway are reported, or refused with
``--strict``."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.initiatives.models import Initiative
from coproduce.people.models import Person

from ...pabulib_io import budget_import_pabulib


class Command(BaseCommand):
    help = "Import a participatory-budgeting vote from a pabulib (.pb) file as a closed budget."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("initiative", help="The initiative's short name (slug).")
        parser.add_argument("file", type=Path, help="The .pb file (UTF-8).")
        parser.add_argument(
            "--as", dest="actor", required=True, help="Email of the co-lead doing the import."
        )
        parser.add_argument("--slug", required=True, help="Short name of the new budget.")
        parser.add_argument("--title", default="", help="Title (default: from the file).")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Refuse a file with irregularities (a project listed twice in a vote, a stray "
            "quote) instead of reading them as pabutools does.",
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
        try:
            imported = budget_import_pabulib(
                actor=person,
                initiative=target,
                data=file.read_bytes(),
                filename=file.name,
                slug=options["slug"],
                title=options["title"],
                strict=options["strict"],
            )
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            for message in messages:
                self.stderr.write(message)
            raise CommandError("Nothing was imported.") from None
        for warning in imported.warnings:
            self.stderr.write(f"warning: {warning}")
        budget = imported.budget
        self.stdout.write(
            f"Imported {budget.slug}: {budget.proposals.count()} projects, "
            f"{budget.ballots.count()} ballots, {len(imported.warnings)} warning(s)."
        )

"""``coproduce audit verify`` and ``coproduce audit export``."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from coproduce.audit.selectors import audit_entries_as_dicts, audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or export it as JSON Lines."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute the chain and name the first broken entry.")
        export = sub.add_parser("export", help="Write every entry as one JSON object per line.")
        export.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            report = audit_verify()
            if not report.ok:
                raise CommandError(
                    f"Audit chain broken at entry #{report.first_broken_id}: {report.problem} "
                    f"({report.checked} entries before it are intact)."
                )
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))
            return
        output = options.get("output")
        stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        try:
            count = 0
            for row in audit_entries_as_dicts():
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(f"Exported {count} entries to {output}.")

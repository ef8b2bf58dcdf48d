"""``coproduce audit ...``: verify the log, export it, and sign, list and check its checkpoints.

``verify`` checks the database; ``verify --export FILE --checkpoint CP.json --public-key KEY``
checks an export against published checkpoints on any machine, without the database.
"""

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.audit.checkpoints import (
    SignedHead,
    key_id,
    private_key_base64,
    public_key_pem,
)
from coproduce.audit.keys import parse_trusted_key, signing_key, trusted_public_keys, write_new_key
from coproduce.audit.selectors import (
    audit_entries_as_dicts,
    audit_verify,
    audit_verify_export,
    checkpoints_as_dicts,
)
from coproduce.audit.services import audit_checkpoint
from coproduce.audit.verification import ChainReport, Problem

HEADLINES = {
    Problem.TRUNCATED: "Audit log truncated",
    Problem.REWRITTEN: "Audit log rewritten before a checkpoint",
    Problem.FORGED: "Forged or invalid checkpoint",
    Problem.MISSING: "Audit checkpoint deleted",
}


class Command(BaseCommand):
    help = "Verify the audit log, export it, and make or check its signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Recompute the chain, check it extends every signed checkpoint, name a problem.",
        )
        verify.add_argument(
            "--export", help="Check this export (JSON Lines) instead of the database."
        )
        verify.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            help="A file of published checkpoints (JSON Lines); may be repeated.",
        )
        verify.add_argument(
            "--public-key",
            action="append",
            default=[],
            help="Trust only this public key (a PEM file or the key itself); may be repeated.",
        )
        export = sub.add_parser("export", help="Write every entry as one JSON object per line.")
        export.add_argument("-o", "--output", help="File to write (default: standard output).")
        checkpoint = sub.add_parser(
            "checkpoint", help="Sign the log's head, store the checkpoint and print it."
        )
        checkpoint.add_argument(
            "--reason", default="manual", help="A word saying why, e.g. 'daily' (default manual)."
        )
        sub.add_parser("checkpoints", help="Print every stored checkpoint, one JSON per line.")
        sub.add_parser("public-key", help="Print the public key that checks the checkpoints.")
        new_key = sub.add_parser("new-key", help="Make a new signing key (for a rotation).")
        new_key.add_argument(
            "-o", "--output", help="PEM file to create (default: print the key in base64)."
        )

    def handle(self, *args, action: str, **options) -> None:
        handler = getattr(self, "handle_" + action.replace("-", "_"))
        try:
            handler(**options)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error

    def handle_verify(self, **options: Any) -> None:
        keys = self._public_keys(options["public_key"])
        checkpoints = [cp for name in options["checkpoint"] for cp in _read_checkpoints(name)]
        if options["export"]:
            report = self._verify_export(options["export"], checkpoints, keys)
        else:
            report = audit_verify(checkpoints=checkpoints, public_keys=keys)
        if not report.ok:
            raise CommandError(_failure(report))
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} entries, extending "
                f"{report.checkpoints} signed checkpoint(s)."
            )
        )
        if not report.checkpoints:
            self.stdout.write(
                self.style.WARNING(
                    "No checkpoint to compare with: deleting the last entries, or rewriting "
                    "the log and recomputing its hashes, would not be noticed."
                )
            )

    def _verify_export(
        self, name: str, checkpoints: list[SignedHead], keys: dict | None
    ) -> ChainReport:
        try:
            with open(name, encoding="utf-8") as lines:
                return audit_verify_export(
                    lines,
                    checkpoints=checkpoints,
                    public_keys=trusted_public_keys() if keys is None else keys,
                )
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"{name}: {error}") from error

    def _public_keys(self, values: list[str]) -> dict[str, Ed25519PublicKey] | None:
        if not values:
            return None
        keys = [parse_trusted_key(value) for value in values]
        return {key_id(key): key for key in keys}

    def handle_export(self, *, output: str | None, **options: Any) -> None:
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

    def handle_checkpoint(self, *, reason: str, **options: Any) -> None:
        try:
            checkpoint = audit_checkpoint(reason=reason)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(checkpoint.signed().as_dict()))

    def handle_checkpoints(self, **options: Any) -> None:
        for row in checkpoints_as_dicts():
            self.stdout.write(json.dumps(row))

    def handle_public_key(self, **options: Any) -> None:
        public_key = signing_key().public_key()
        self.stdout.write(public_key_pem(public_key), ending="")
        self.stderr.write(f"Key id: {key_id(public_key)}")

    def handle_new_key(self, *, output: str | None, **options: Any) -> None:
        if output:
            try:
                key = write_new_key(Path(output))
            except FileExistsError as error:
                raise CommandError(f"{output} exists: a key is never overwritten.") from error
            self.stderr.write(f"Private key written to {output} (readable by you only).")
        else:
            key = Ed25519PrivateKey.generate()
            self.stdout.write(private_key_base64(key))
        self.stderr.write(f"Key id: {key_id(key.public_key())}. Its public key:")
        self.stderr.write(public_key_pem(key.public_key()), ending="")


def _failure(report: ChainReport) -> str:
    if report.kind is Problem.BROKEN:
        return (
            f"Audit chain broken at entry #{report.first_broken_id}: {report.problem} "
            f"({report.checked} entries before it are intact)."
        )
    return f"{HEADLINES[report.kind]}: {report.problem}."


def _read_checkpoints(name: str) -> Iterator[SignedHead]:
    """Checkpoints from a file of JSON Lines, as ``audit checkpoint(s)`` print them."""
    try:
        lines = Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{name}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield SignedHead.from_dict(json.loads(line))
        except ValueError as error:
            raise CommandError(f"{name}, line {number}: {error}") from error

"""Checking a log: its hash chain, and that it extends every signed checkpoint.

The same walk checks the database (``coproduce audit verify``) and an export read from a file by
someone with no access to the database. Nothing here imports Django.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .chain import GENESIS_HASH, canonical_json, entry_hash
from .checkpoints import SignedHead, signature_problem

# The action of the entry each checkpoint writes about itself (see ``audit_checkpoint``).
CHECKPOINT_ACTION = "audit.checkpoint"


class Problem(StrEnum):
    BROKEN = "broken"
    TRUNCATED = "truncated"
    REWRITTEN = "rewritten"
    FORGED = "forged checkpoint"
    MISSING = "missing checkpoint"


@dataclass(frozen=True)
class ChainReport:
    """What a verification found. ``checked`` counts the entries found intact before a problem;
    ``first_broken_id`` names the entry where the chain itself breaks, when it does."""

    checked: int
    first_broken_id: int | None = None
    problem: str = ""
    kind: Problem | None = None
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.kind is None


@dataclass(frozen=True)
class ChainEntry:
    id: int
    created_at: dt.datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    payload: str
    prev_hash: str
    hash: str

    def computed_hash(self) -> str:
        return entry_hash(
            prev_hash=self.prev_hash,
            created_at=self.created_at,
            actor_id=self.actor_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            payload=self.payload,
        )

    @classmethod
    def from_export(cls, row: Any) -> "ChainEntry":
        """An entry from one line of ``coproduce audit export``; ValueError says what is wrong."""
        if not isinstance(row, dict):
            raise ValueError("not a JSON object")
        try:
            return cls(
                id=_int(row["id"]),
                created_at=dt.datetime.fromisoformat(row["time"]),
                actor_id=None if row["actor_id"] is None else _int(row["actor_id"]),
                action=str(row["action"]),
                object_type=str(row["object_type"]),
                object_id=str(row["object_id"]),
                payload=canonical_json(row["payload"]),
                prev_hash=str(row["prev_hash"]),
                hash=str(row["hash"]),
            )
        except KeyError as error:
            raise ValueError(f"the field {error.args[0]!r} is missing") from error
        except TypeError as error:
            raise ValueError(str(error)) from error


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    return value


def entries_from_export(lines: Iterable[str]) -> Iterable[ChainEntry]:
    """Read an export line by line; ValueError names the line that cannot be read."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield ChainEntry.from_export(json.loads(line))
        except ValueError as error:
            raise ValueError(f"line {number}: {error}") from error


def verify_log(
    entries: Iterable[ChainEntry],
    checkpoints: Sequence[SignedHead],
    trusted: Mapping[str, Ed25519PublicKey],
    *,
    all_checkpoints_known: bool = False,
) -> ChainReport:
    """Walk the log once: every hash must match, and at each checkpoint's position the head it
    signed. ``all_checkpoints_known`` (the database's own checkpoints) also requires a checkpoint
    for every entry that records making one, so deleting checkpoints is noticed too."""
    checkpoints = list(dict.fromkeys(checkpoints))  # a published copy of a stored one counts once
    for checkpoint in checkpoints:
        reason = signature_problem(checkpoint, trusted)
        if reason:
            return ChainReport(0, problem=f"{checkpoint.label()}: {reason}", kind=Problem.FORGED)
    walk = _Walk(checkpoints, all_checkpoints_known)
    report = walk.at_position(0, GENESIS_HASH, None)
    if report:
        return report
    for entry in entries:
        report = walk.step(entry)
        if report:
            return report
    return walk.finish()


class _Walk:
    def __init__(self, checkpoints: Sequence[SignedHead], all_known: bool) -> None:
        self.by_count: dict[int, list[SignedHead]] = defaultdict(list)
        for checkpoint in checkpoints:
            self.by_count[checkpoint.count].append(checkpoint)
        self.total = len(checkpoints)
        self.all_known = all_known
        self.position = 0
        self.prev_hash = GENESIS_HASH
        self.last_matched = 0
        self.orphan = ""

    def step(self, entry: ChainEntry) -> ChainReport | None:
        if entry.prev_hash != self.prev_hash:
            return self._broken(entry, "its previous hash is not the hash of the entry before it")
        if entry.computed_hash() != entry.hash:
            return self._broken(entry, "its content does not match its hash")
        self.position += 1
        self.prev_hash = entry.hash
        if (
            self.all_known
            and entry.action == CHECKPOINT_ACTION
            and self.position not in self.by_count
            and not self.orphan
        ):
            # Named at the end, if nothing worse is found: after a rewrite, a checkpoint's entry
            # may simply sit at another position.
            self.orphan = (
                f"entry #{entry.id} records a checkpoint of {self.position} entries, which is no "
                "longer among the stored checkpoints: it was deleted"
            )
        return self.at_position(self.position, entry.hash, entry.id)

    def at_position(self, position: int, head: str, entry_id: int | None) -> ChainReport | None:
        for checkpoint in self.by_count.get(position, ()):
            if checkpoint.head != head:
                where = f"entry #{entry_id}" if entry_id is not None else "the empty log"
                return self._report(
                    f"{where}, at position {position}, does not have the hash that "
                    f"{checkpoint.label()} signed: the log was rewritten between position "
                    f"{self.last_matched} and position {position}",
                    Problem.REWRITTEN,
                    checked=self.last_matched,
                )
        if position in self.by_count:
            self.last_matched = position
        return None

    def finish(self) -> ChainReport:
        beyond = [count for count in self.by_count if count > self.position]
        if beyond:
            latest = self.by_count[max(beyond)][0]
            return self._report(
                f"the log has {self.position} entries, fewer than the {latest.count} that "
                f"the checkpoint of {latest.time} signed: entries were removed from it",
                Problem.TRUNCATED,
            )
        if self.orphan:
            return self._report(self.orphan, Problem.MISSING)
        return ChainReport(self.position, checkpoints=self.total)

    def _broken(self, entry: ChainEntry, reason: str) -> ChainReport:
        return ChainReport(
            self.position, entry.id, reason, kind=Problem.BROKEN, checkpoints=self.total
        )

    def _report(self, problem: str, kind: Problem, checked: int | None = None) -> ChainReport:
        return ChainReport(
            self.position if checked is None else checked,
            problem=problem,
            kind=kind,
            checkpoints=self.total,
        )

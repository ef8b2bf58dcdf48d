"""Reading the audit log: verification and export."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .chain import entry_hash
from .models import GENESIS_HASH, AuditEntry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def audit_verify() -> ChainReport:
    """Recompute every hash in order and name the first entry that does not match."""
    prev_hash = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev_hash:
            return ChainReport(
                checked, entry.pk, "its previous hash is not the hash of the entry before it"
            )
        expected = entry_hash(
            prev_hash=entry.prev_hash,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            payload=entry.payload,
        )
        if expected != entry.hash:
            return ChainReport(checked, entry.pk, "its content does not match its hash")
        prev_hash = entry.hash
        checked += 1
    return ChainReport(checked)


def audit_entries_as_dicts() -> Iterator[dict[str, Any]]:
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        yield {
            "id": entry.pk,
            "time": entry.created_at.isoformat(),
            "actor_id": entry.actor_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "payload": json.loads(entry.payload),
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        }


def audit_entries_for(target_type: str, target_id: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=target_type, object_id=str(target_id)))

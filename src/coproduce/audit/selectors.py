"""Reading the audit log: verification and export."""

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .checkpoints import SignedHead
from .keys import trusted_public_keys
from .models import AuditEntry, Checkpoint
from .verification import ChainEntry, ChainReport, entries_from_export, verify_log


def audit_verify(
    *,
    checkpoints: Iterable[SignedHead] = (),
    public_keys: Mapping[str, Ed25519PublicKey] | None = None,
) -> ChainReport:
    """Recompute every hash in order, and check that the log extends every stored checkpoint
    (and any given ones, e.g. published copies); name the first problem found.

    ``public_keys`` replaces the keys the settings trust, for someone who trusts only the
    published key."""
    return verify_log(
        _chain_entries(),
        [*(stored.signed() for stored in Checkpoint.objects.order_by("id")), *checkpoints],
        trusted_public_keys() if public_keys is None else public_keys,
        all_checkpoints_known=True,
    )


def audit_verify_export(
    lines: Iterable[str],
    *,
    checkpoints: Iterable[SignedHead],
    public_keys: Mapping[str, Ed25519PublicKey],
) -> ChainReport:
    """Check an export (``coproduce audit export``) against published checkpoints, without the
    database. ValueError names a line that cannot be read."""
    return verify_log(entries_from_export(lines), list(checkpoints), public_keys)


def _chain_entries() -> Iterator[ChainEntry]:
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        yield ChainEntry(
            id=entry.pk,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            payload=entry.payload,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


def checkpoint_latest() -> Checkpoint | None:
    """The newest checkpoint, for the transparency page."""
    return Checkpoint.objects.order_by("-id").first()


def checkpoints_as_dicts() -> Iterator[dict[str, Any]]:
    for checkpoint in Checkpoint.objects.order_by("id").iterator(chunk_size=2000):
        yield checkpoint.signed().as_dict()


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

"""Writing to the audit log. Every other app's services call :func:`audit_record`."""

import re
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .chain import canonical_json, entry_hash
from .checkpoints import key_id, sign_head
from .keys import signing_key
from .models import GENESIS_HASH, AuditEntry, Checkpoint
from .verification import CHECKPOINT_ACTION

# Arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 0x436F70726F64


def _lock_chain() -> None:
    """Make concurrent writers take turns, so two transactions never extend the same head.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the project opens every transaction
    with BEGIN IMMEDIATE, which already admits a single writer. The unique constraint on
    ``prev_hash`` is the last line of defence on any backend.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def audit_record(
    *,
    actor: Any = None,
    action: str,
    target: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction, so the change and its record
    commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    _lock_chain()
    head = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    prev_hash = head or GENESIS_HASH
    actor_id = getattr(actor, "pk", actor) if actor is not None else None
    fields = {
        "created_at": timezone.now(),
        "actor_id": actor_id,
        "action": action,
        "object_type": target._meta.label_lower if target is not None else "",
        "object_id": str(target.pk) if target is not None else "",
        "payload": canonical_json(payload or {}),
    }
    entry = AuditEntry(
        prev_hash=prev_hash, hash=entry_hash(prev_hash=prev_hash, **fields), **fields
    )
    entry.save(force_insert=True)
    return entry


_REASON = re.compile(r"[a-z][a-z0-9._-]{0,49}")


def audit_checkpoint(*, reason: str = "manual") -> Checkpoint:
    """Sign the log's head (entry count, last hash, time) and keep the signed checkpoint.

    A system job: no person acts, as after a budget's tally or from the daily cron job
    (docs/deployment.md). The checkpoint first records itself in the log, then signs the head
    that includes that entry, so deleting a checkpoint later is noticed by ``verify``. The key is
    read before anything is written: without it, nothing changes.
    """
    if not _REASON.fullmatch(reason):
        raise ValueError("a checkpoint's reason is a short lower-case word such as 'daily'")
    key = signing_key()
    with transaction.atomic():
        entry = audit_record(
            action=CHECKPOINT_ACTION,
            payload={"reason": reason, "key_id": key_id(key.public_key())},
        )
        signed = sign_head(
            key, count=AuditEntry.objects.count(), head=entry.hash, time=entry.created_at
        )
        return Checkpoint.objects.create(
            created_at=entry.created_at,
            entry_count=signed.count,
            head_hash=signed.head,
            key_id=signed.key_id,
            signature=signed.signature,
        )

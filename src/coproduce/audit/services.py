"""Writing to the audit log. Every other app's services call :func:`audit_record`."""

from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .chain import canonical_json, entry_hash
from .models import GENESIS_HASH, AuditEntry

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

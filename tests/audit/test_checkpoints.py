"""Signed checkpoints: whoever can write to the database can no longer delete the log's last
entries, or rewrite it and recompute the hashes, without ``coproduce audit verify`` naming it."""

import base64
import datetime as dt
import json
import threading
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from coproduce.audit.chain import canonical_json, entry_hash
from coproduce.audit.checkpoints import public_key_pem, sign_head
from coproduce.audit.models import GENESIS_HASH, AuditEntry, Checkpoint
from coproduce.audit.selectors import audit_verify
from coproduce.audit.services import audit_checkpoint, audit_record
from coproduce.audit.verification import Problem

ENTRIES = AuditEntry._meta.db_table
CHECKPOINTS = Checkpoint._meta.db_table


def record(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(action="test.step", payload={"i": i, "text": "café ✓"})


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def ids() -> list[int]:
    return list(AuditEntry.objects.order_by("id").values_list("id", flat=True))


def rewrite_and_rehash(position: int, payload: str = '{"i":"rewritten"}') -> None:
    """What an attacker with database access does: change the entry at ``position`` (1-based)
    and recompute every later hash with the project's own function, so the chain is intact."""
    entries = list(AuditEntry.objects.order_by("id"))
    prev_hash = entries[position - 2].hash if position > 1 else GENESIS_HASH
    for index, entry in enumerate(entries[position - 1 :]):
        content = payload if index == 0 else entry.payload
        new_hash = entry_hash(
            prev_hash=prev_hash,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            payload=content,
        )
        sql(
            f"UPDATE {ENTRIES} SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [content, prev_hash, new_hash, entry.pk],
        )
        prev_hash = new_hash


@pytest.fixture
def checkpointed_log() -> list[Checkpoint]:
    """Five entries and a checkpoint (position 6), three more and a second one (position 10)."""
    record(5)
    first = audit_checkpoint(reason="test")
    record(3)
    return [first, audit_checkpoint(reason="test")]


# -- Making checkpoints ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_checkpoint_signs_the_head_with_the_key_outside_the_database(audit_signing_key):
    record(3)
    checkpoint = audit_checkpoint(reason="daily")
    head = AuditEntry.objects.order_by("id").last()
    assert checkpoint.entry_count == 4
    assert checkpoint.head_hash == head.hash
    # The checkpoint records itself in the log, then signs the head that includes it.
    assert head.action == "audit.checkpoint" and json.loads(head.payload)["reason"] == "daily"
    audit_signing_key.public_key().verify(
        base64.b64decode(checkpoint.signature), checkpoint.signed().message()
    )
    assert audit_verify().ok


@pytest.mark.django_db
def test_the_command_prints_a_checkpoint_to_publish_and_the_public_key(capsys):
    record(2)
    call_command("audit", "checkpoint", "--reason", "daily")
    published = json.loads(capsys.readouterr().out)
    stored = Checkpoint.objects.get()
    assert published["count"] == 3 == stored.entry_count
    assert published["head"] == stored.head_hash
    assert published["signature"] == stored.signature
    call_command("audit", "public-key")
    assert capsys.readouterr().out.startswith("-----BEGIN PUBLIC KEY-----")
    call_command("audit", "checkpoints")
    assert json.loads(capsys.readouterr().out) == published


@pytest.mark.django_db
def test_a_checkpoint_with_a_junk_reason_is_refused_and_writes_nothing():
    with pytest.raises(CommandError, match="reason"):
        call_command("audit", "checkpoint", "--reason", "<script>" * 20)
    assert not AuditEntry.objects.exists() and not Checkpoint.objects.exists()


@pytest.mark.django_db
def test_an_intact_log_verifies_and_says_how_many_checkpoints_it_extends(checkpointed_log, capsys):
    record(2)  # entries after the latest checkpoint are allowed
    call_command("audit", "verify")
    assert "intact: 12 entries, extending 2 signed checkpoint(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_without_a_checkpoint_verify_warns_what_it_cannot_see(capsys):
    record(2)
    call_command("audit", "verify")
    assert "would not be noticed" in capsys.readouterr().out


# -- Tampering, each caught and named ----------------------------------------------------------


def delete_last_entry() -> None:
    sql(f"DELETE FROM {ENTRIES} WHERE id = %s", [ids()[-1]])


def delete_every_entry() -> None:
    sql(f"DELETE FROM {ENTRIES}")


def rewrite_before_the_first_checkpoint() -> None:
    rewrite_and_rehash(3)


def rewrite_between_the_checkpoints() -> None:
    rewrite_and_rehash(8)


def edit_a_middle_entry() -> None:
    sql(f"UPDATE {ENTRIES} SET payload = %s WHERE id = %s", ['{"i":"edited"}', ids()[3]])


def delete_a_middle_entry_and_rehash() -> None:
    victim = ids()[2]
    sql(f"DELETE FROM {ENTRIES} WHERE id = %s", [victim])
    rewrite_and_rehash(3, AuditEntry.objects.order_by("id")[2].payload)


def forge_with_another_key() -> None:
    """Truncate, then sign a checkpoint of the shorter log with a key of one's own."""
    delete_last_entry()
    sql(f"DELETE FROM {CHECKPOINTS} WHERE entry_count = 10")
    head = AuditEntry.objects.order_by("id").last()
    forged = sign_head(Ed25519PrivateKey.generate(), count=9, head=head.hash, time=head.created_at)
    sql(
        f"INSERT INTO {CHECKPOINTS} (created_at, entry_count, head_hash, key_id, signature) "
        "VALUES (%s, %s, %s, %s, %s)",
        [head.created_at, 9, head.hash, forged.key_id, forged.signature],
    )


def alter_a_checkpoints_count() -> None:
    delete_last_entry()
    sql(f"UPDATE {CHECKPOINTS} SET entry_count = 9 WHERE entry_count = 10")


def alter_a_checkpoints_head() -> None:
    rewrite_and_rehash(8)
    sql(
        f"UPDATE {CHECKPOINTS} SET head_hash = %s WHERE entry_count = 10",
        [AuditEntry.objects.order_by("id").last().hash],
    )


def delete_a_checkpoint() -> None:
    sql(f"DELETE FROM {CHECKPOINTS} WHERE entry_count = 10")


TAMPERING: dict[str, tuple[Callable[[], None], Problem, str, str]] = {
    # name: (what the attacker does, the problem named, headline, words in the explanation)
    "delete the last entry": (
        delete_last_entry,
        Problem.TRUNCATED,
        "Audit log truncated",
        "the log has 9 entries, fewer than the 10 that the checkpoint of",
    ),
    "delete every entry": (
        delete_every_entry,
        Problem.TRUNCATED,
        "Audit log truncated",
        "the log has 0 entries, fewer than the 10",
    ),
    "rewrite and rehash before the first checkpoint": (
        rewrite_before_the_first_checkpoint,
        Problem.REWRITTEN,
        "Audit log rewritten before a checkpoint",
        "rewritten between position 0 and position 6",
    ),
    "rewrite and rehash between checkpoints": (
        rewrite_between_the_checkpoints,
        Problem.REWRITTEN,
        "Audit log rewritten before a checkpoint",
        "rewritten between position 6 and position 10",
    ),
    "delete a middle entry and rehash": (
        delete_a_middle_entry_and_rehash,
        Problem.REWRITTEN,
        "Audit log rewritten before a checkpoint",
        "position 6",
    ),
    "edit a middle entry": (
        edit_a_middle_entry,
        Problem.BROKEN,
        "Audit chain broken at entry #",
        "its content does not match its hash",
    ),
    "forge a checkpoint with another key": (
        forge_with_another_key,
        Problem.FORGED,
        "Forged or invalid checkpoint",
        "not a trusted audit key",
    ),
    "alter a checkpoint's count": (
        alter_a_checkpoints_count,
        Problem.FORGED,
        "Forged or invalid checkpoint",
        "signature does not match",
    ),
    "alter a checkpoint's head": (
        alter_a_checkpoints_head,
        Problem.FORGED,
        "Forged or invalid checkpoint",
        "signature does not match",
    ),
    "delete a checkpoint": (
        delete_a_checkpoint,
        Problem.MISSING,
        "Audit checkpoint deleted",
        "records a checkpoint of 10 entries",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", TAMPERING)
def test_tampering_is_caught_and_named(checkpointed_log, name):
    tamper, kind, headline, words = TAMPERING[name]
    assert audit_verify().ok
    tamper()
    report = audit_verify()
    assert report.kind is kind, report.problem
    assert words in report.problem
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")
    assert str(raised.value).startswith(headline)
    assert words in str(raised.value)


@pytest.mark.django_db
def test_an_edited_entry_is_named_by_its_id(checkpointed_log):
    edit_a_middle_entry()
    assert audit_verify().first_broken_id == ids()[3]


@pytest.mark.django_db
def test_a_published_checkpoint_catches_a_rollback_the_database_alone_cannot(
    checkpointed_log, tmp_path
):
    """Delete the latest checkpoint *and* every entry after the first one: what is left is a
    genuine earlier state, so only a copy of the checkpoint kept elsewhere shows the loss."""
    published = tmp_path / "published.jsonl"
    published.write_text(json.dumps(checkpointed_log[1].signed().as_dict()) + "\n")
    sql(f"DELETE FROM {CHECKPOINTS} WHERE entry_count = 10")
    sql(f"DELETE FROM {ENTRIES} WHERE id > %s", [ids()[5]])
    assert audit_verify().ok
    with pytest.raises(CommandError, match="Audit log truncated: the log has 6 entries"):
        call_command("audit", "verify", "--checkpoint", str(published))


# -- Verifying an export without the database --------------------------------------------------


@pytest.fixture
def published(checkpointed_log, tmp_path, capsys, audit_signing_key):
    """What the site publishes: its export, its checkpoints and its public key."""
    call_command("audit", "export", "--output", str(tmp_path / "audit.jsonl"))
    call_command("audit", "checkpoints")
    (tmp_path / "checkpoints.jsonl").write_text(capsys.readouterr().out)
    (tmp_path / "audit.pub").write_text(public_key_pem(audit_signing_key.public_key()))
    return tmp_path


def verify_offline(folder, *extra: str) -> None:
    call_command(
        "audit",
        "verify",
        "--export",
        str(folder / "audit.jsonl"),
        "--checkpoint",
        str(folder / "checkpoints.jsonl"),
        *extra,
    )


@pytest.mark.django_db
def test_anyone_can_verify_an_export_without_the_database(
    published, capsys, django_assert_num_queries
):
    with django_assert_num_queries(0):
        verify_offline(published, "--public-key", str(published / "audit.pub"))
    assert "intact: 10 entries, extending 2 signed checkpoint(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_live_log_may_be_checked_against_published_copies(published, capsys):
    call_command(
        "audit",
        "verify",
        "--checkpoint",
        str(published / "checkpoints.jsonl"),
        "--public-key",
        str(published / "audit.pub"),
    )
    assert "intact: 10 entries, extending 2 signed checkpoint(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_public_key_may_be_given_inline(published, capsys):
    verify_offline(published, "--public-key", (published / "audit.pub").read_text())
    assert "intact: 10 entries" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_truncated_export_is_named_offline(published):
    export = published / "audit.jsonl"
    export.write_text("".join(export.read_text().splitlines(keepends=True)[:-1]))
    with pytest.raises(CommandError, match="Audit log truncated: the log has 9 entries"):
        verify_offline(published, "--public-key", str(published / "audit.pub"))


@pytest.mark.django_db
def test_an_export_rewritten_and_rehashed_is_named_offline(published):
    export = published / "audit.jsonl"
    rows = [json.loads(line) for line in export.read_text().splitlines()]
    rows[1]["payload"] = {"i": "rewritten"}
    prev_hash = rows[0]["hash"]
    for row in rows[1:]:
        row["prev_hash"] = prev_hash
        row["hash"] = prev_hash = entry_hash(
            prev_hash=prev_hash,
            created_at=dt.datetime.fromisoformat(row["time"]),
            actor_id=row["actor_id"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            payload=canonical_json(row["payload"]),
        )
    export.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(CommandError, match="rewritten between position 0 and position 6"):
        verify_offline(published, "--public-key", str(published / "audit.pub"))


@pytest.mark.django_db
def test_checkpoints_checked_with_another_public_key_are_refused(published):
    other = published / "other.pub"
    other.write_text(public_key_pem(Ed25519PrivateKey.generate().public_key()))
    with pytest.raises(CommandError, match="Forged or invalid checkpoint.*not a trusted"):
        verify_offline(published, "--public-key", str(other))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "content", "message"),
    [
        ("audit.jsonl", '{"id": 1}\n', "audit.jsonl: line 1: the field 'time' is missing"),
        ("audit.jsonl", "not json\n", "audit.jsonl: line 1"),
        ("checkpoints.jsonl", '{"format": "x"}\n', "checkpoints.jsonl, line 1: not a checkpoint"),
        ("audit.pub", "not a key", "Cannot read the audit public key"),
    ],
)
def test_unreadable_files_are_named_not_a_traceback(published, target, content, message):
    (published / target).write_text(content)
    with pytest.raises(CommandError, match=message):
        verify_offline(published, "--public-key", str(published / "audit.pub"))


@pytest.mark.django_db
def test_a_missing_export_is_a_clear_error(published):
    with pytest.raises(CommandError, match="No such file"):
        call_command("audit", "verify", "--export", str(published / "missing.jsonl"))


@pytest.mark.django_db(transaction=True)
def test_checkpoints_made_while_others_write_match_the_chain_on_postgresql(postgres_only):
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    audit_record(action="test.concurrent", payload={"worker": worker, "i": i})
                if worker == 0:
                    audit_checkpoint(reason="test")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Checkpoint.objects.count() == 10
    report = audit_verify()
    assert report.ok and report.checkpoints == 10

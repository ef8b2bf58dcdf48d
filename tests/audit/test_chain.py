import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from coproduce.audit.models import GENESIS_HASH, AppendOnlyError, AuditEntry
from coproduce.audit.selectors import audit_verify
from coproduce.audit.services import audit_record
from factories import OrganisationFactory, PersonFactory


def record(n: int, actor=None) -> list[AuditEntry]:
    entries = []
    for i in range(n):
        with transaction.atomic():
            entries.append(audit_record(actor=actor, action="test.step", payload={"i": i}))
    return entries


@pytest.mark.django_db
def test_entries_form_a_chain_from_the_genesis_hash():
    first, second, third = record(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    report = audit_verify()
    assert report.ok and report.checked == 3


@pytest.mark.django_db
def test_verify_names_the_first_entry_edited_behind_the_logs_back():
    entries = record(4)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET payload = %s WHERE id = %s",
            ['{"i":99}', entries[2].pk],
        )
    report = audit_verify()
    assert not report.ok
    assert report.first_broken_id == entries[2].pk
    assert report.checked == 2
    with pytest.raises(CommandError, match=f"#{entries[2].pk}"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_verify_catches_a_deleted_entry():
    entries = record(3)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entries[1].pk])
    report = audit_verify()
    assert report.first_broken_id == entries[2].pk


@pytest.mark.django_db
def test_entries_are_append_only():
    (entry,) = record(1)
    entry.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(action="loose")


@pytest.mark.django_db
def test_erasing_a_person_keeps_the_chain_intact():
    person = PersonFactory()
    organisation = OrganisationFactory()
    with transaction.atomic():
        audit_record(actor=person, action="person.something", target=organisation)
    person.delete()
    assert audit_verify().ok
    assert AuditEntry.objects.get().actor_id is not None


@pytest.mark.django_db
def test_verify_command_reports_an_intact_chain(capsys):
    record(2)
    call_command("audit", "verify")
    assert "intact: 2 entries" in capsys.readouterr().out


@pytest.mark.django_db
def test_export_writes_one_json_object_per_line(tmp_path):
    entries = record(3)
    target = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--output", str(target))
    lines = target.read_text().splitlines()
    assert [json.loads(line)["hash"] for line in lines] == [e.hash for e in entries]
    assert json.loads(lines[1])["payload"] == {"i": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_do_not_fork_the_chain(postgres_only):
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for i in range(15):
                with transaction.atomic():
                    audit_record(action="test.concurrent", payload={"worker": worker, "i": i})
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.count() == 90
    assert audit_verify().ok
    assert AuditEntry.objects.values("prev_hash").distinct().count() == 90

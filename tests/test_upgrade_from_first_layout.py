"""A database of the first layout (co-delivery in one app, contributions naming their task and
shift) keeps every row when migrated to the apps of today (ADR 0004).

The demo is loaded, the database is taken back to the first layout's migrations (whose schema is
the one today's main made; the backward migrations are part of what is tested), and then brought
forward again: every table keeps its rows and every contribution its activity and supervisor.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coproduce.ledger.models import Contribution

# The leaf migrations of the first layout: delivery held every model; the new apps did not exist.
FIRST_LAYOUT = [
    ("delivery", "0001_initial"),
    ("ledger", None),
    ("timebank", None),
    ("service_requests", None),
]
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission"}


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {
            column.name for column in connection.introspection.get_table_description(cursor, table)
        }


def _activities() -> list[tuple]:
    return list(
        Contribution.objects.order_by("pk").values_list(
            "pk", "activity_type__model", "activity_id", "supervised_by_id", "quantity", "status"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_of_the_first_layout_keeps_every_row_when_upgraded():
    call_command("load_demo", stdout=io.StringIO())
    before, activities = _row_counts(), _activities()
    from_shifts = sum(1 for row in activities if row[1] == "shift")
    assert before["delivery_contribution"] > 1000 and from_shifts > 100

    _migrate(FIRST_LAYOUT)
    try:
        columns = _columns("delivery_contribution")
        assert {"task_id", "shift_id"} <= columns
        assert not {"activity_id", "activity_type_id", "supervised_by_id"} & columns
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM delivery_contribution c JOIN delivery_shift s"
                " ON s.id = c.shift_id AND s.task_id = c.task_id"
            )
            assert cursor.fetchone()[0] == from_shifts
        first_layout = _row_counts()
    finally:
        _migrate(_latest())

    assert {t: n for t, n in first_layout.items() if t not in BOOKKEEPING} == {
        t: n for t, n in before.items() if t not in BOOKKEEPING
    }
    after = _row_counts()
    assert {t: n for t, n in after.items() if t not in BOOKKEEPING} == {
        t: n for t, n in before.items() if t not in BOOKKEEPING
    }
    assert _activities() == activities
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT app_label FROM django_content_type WHERE model = %s", ["contribution"]
        )
        assert [row[0] for row in cursor.fetchall()] == ["ledger"]

"""A database made by the first layout (co-delivery in one app) keeps every row when it is
migrated to the apps of today (ADR 0004): the models moved, their tables did not."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coproduce.ledger.models import Contribution
from coproduce.service_requests.models import ServiceRequest
from coproduce.timebank.models import Movement

# The leaf migrations of the first layout: delivery held every model; the new apps did not exist.
FIRST_LAYOUT = [
    ("delivery", "0001_initial"),
    ("ledger", None),
    ("timebank", None),
    ("service_requests", None),
]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_of_the_first_layout_keeps_every_row_when_upgraded():
    _migrate(FIRST_LAYOUT)
    try:
        # Today's models write the first layout's tables: the schema is the same, only the
        # apps that own the models changed.
        call_command("load_demo", stdout=io.StringIO())
        before = _row_counts()
        assert before["delivery_contribution"] > 100
        assert before["delivery_movement"] > 0
        assert before["delivery_servicerequest"] > 0
    finally:
        _migrate(_latest())

    after = _row_counts()
    changed = {
        table: (before[table], after.get(table))
        for table in before
        if table not in ("django_migrations", "django_content_type", "auth_permission")
        and before[table] != after.get(table)
    }
    assert changed == {}
    assert Contribution.objects.count() == before["delivery_contribution"]
    assert Movement.objects.count() == before["delivery_movement"]
    assert ServiceRequest.objects.count() == before["delivery_servicerequest"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT app_label FROM django_content_type WHERE model = %s", ["contribution"]
        )
        assert [row[0] for row in cursor.fetchall()] == ["ledger"]

"""Every number of the ledger has one range, checked by the form, the importer, the service and a
CHECK constraint: a contribution of time is at most 24 hours per entry. Entries recorded before the
ranges existed are brought within them by the migration, so the pages work again."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from coproduce.ledger import services
from coproduce.ledger.models import Contribution

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def record(initiative, person, kind="time", quantity="2"):
    return services.contribution_record(
        actor=person,
        initiative=initiative,
        person=person,
        kind=kind,
        quantity=Decimal(quantity),
        occurred_on=YESTERDAY,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "quantity"), [("time", "24.01"), ("money", "1000000.01"), ("tools", "10001")]
)
def test_the_service_refuses_a_quantity_past_its_kinds_range(initiative, citizen, kind, quantity):
    with pytest.raises(ValidationError) as refused:
        record(initiative, citizen, kind, quantity)
    assert "quantity" in refused.value.message_dict
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_a_day_of_work_is_accepted(initiative, citizen):
    assert record(initiative, citizen, "time", "24").quantity == Decimal("24")


@pytest.mark.django_db
def test_the_form_names_the_24_hour_limit(client, initiative, citizen):
    client.force_login(citizen)
    url = reverse("ledger:contribution_create", args=[initiative.slug])
    data = {
        "kind": "time",
        "quantity": "25",
        "occurred_on": YESTERDAY.isoformat(),
        "capacity": "citizen",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "at most 24 hours" in response.content.decode()
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_what_slips_past_the_service(initiative, citizen):
    entry = record(initiative, citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=entry.pk).update(quantity=Decimal("25"))


LEDGER_BEFORE = [("ledger", "0004_drop_task_and_shift")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_brings_an_impossible_entry_back_and_the_pages_work(
    client, initiative, citizen, co_lead
):
    entry = record(initiative, citizen)
    executor = MigrationExecutor(connection)
    executor.migrate(LEDGER_BEFORE)
    # SQLite stored what a timesheet said (and then could not read it back); PostgreSQL's column
    # holds ten digits before the point.
    huge = "99999999999999" if connection.vendor == "sqlite" else "99999999"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE delivery_contribution SET quantity = {huge} WHERE id = %s", [entry.pk]
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    entry.refresh_from_db()
    assert entry.quantity == Decimal("24")
    assert entry.status == Contribution.Status.DISPUTED
    assert huge in entry.dispute_reason
    client.force_login(co_lead)
    for name in ("ledger:ledger", "ledger:contributions"):
        assert client.get(reverse(name, args=[initiative.slug])).status_code == 200
    client.force_login(citizen)
    mine = client.get(reverse("ledger:my_contributions", args=[initiative.slug]))
    assert mine.status_code == 200

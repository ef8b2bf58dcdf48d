"""Rows written before the ranges existed are brought within them, in a migration of
their own: PostgreSQL does not alter a table in the transaction that updated it."""

from django.conf import settings
from django.db import migrations

# The ranges as they were when the constraints were added (coproduce.ranges holds today's).
QUANTITY_LIMITS = {"time": 24, "money": 1000000}
OTHER_LIMIT = 10000
VALUE_LIMIT = 10000000000
RATE_LIMIT = 100000


def bring_into_range(apps, schema_editor):
    """Entries recorded before the ranges existed (a timesheet with 99999999999999 hours made
    the ledger's pages fail) are brought to their kind's limit and, unless they are reversals,
    marked disputed with the recorded figure in the reason, so that a co-lead sees them and
    corrects them on the website. Raw SQL: the ORM cannot even read such a row on SQLite."""
    table = "delivery_contribution"
    note = "Recorded as ' || CAST(quantity AS TEXT) || ', out of range: check and correct it."
    with schema_editor.connection.cursor() as cursor:
        for kind, limit in [*QUANTITY_LIMITS.items(), (None, OTHER_LIMIT)]:
            if kind is None:
                which = "kind NOT IN (%s)" % ", ".join("'%s'" % k for k in QUANTITY_LIMITS)
            else:
                which = "kind = '%s'" % kind
            out = f"{which} AND (quantity > {limit} OR quantity < -{limit})"
            cursor.execute(
                f"UPDATE {table} SET status = 'disputed', dispute_reason = '{note}' "
                f"WHERE {out} AND is_reversal = %s",
                [False],
            )
            cursor.execute(
                f"UPDATE {table} SET quantity = CASE WHEN quantity > 0 THEN {limit} "
                f"ELSE -{limit} END WHERE {out}"
            )
        cursor.execute(
            f"UPDATE {table} SET value = CASE WHEN value > 0 THEN {VALUE_LIMIT} "
            f"ELSE -{VALUE_LIMIT} END WHERE value > {VALUE_LIMIT} OR value < -{VALUE_LIMIT}"
        )
        cursor.execute(
            f"UPDATE delivery_valuationrate SET amount = {RATE_LIMIT} WHERE amount > {RATE_LIMIT}"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('initiatives', '0002_initial'),
        ('ledger', '0004_drop_task_and_shift'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(bring_into_range, migrations.RunPython.noop),
    ]

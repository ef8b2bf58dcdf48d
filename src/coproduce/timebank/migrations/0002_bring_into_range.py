"""Rows written before the ranges existed are brought within them, in a migration of
their own: PostgreSQL does not alter a table in the transaction that updated it."""

from django.conf import settings
from django.db import migrations

# The ranges as they were when the constraints were added (coproduce.ranges holds today's).
LIMITS = [
    ('delivery_timebank', 'min_balance', '-1000', '0'),
    ('delivery_timebank', 'max_balance', '0', '1000'),
    ('delivery_exchange', 'hours', '0.25', '24'),
]


def bring_into_range(apps, schema_editor):
    """Rows written before the ranges existed are brought to the nearest limit, so that the
    constraints can be added and the pages can read them (raw SQL: the ORM may not)."""
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        for table, column, low, high in LIMITS:
            table, column = quote(table), quote(column)
            cursor.execute(f"UPDATE {table} SET {column} = {high} WHERE {column} > {high}")
            cursor.execute(f"UPDATE {table} SET {column} = {low} WHERE {column} < {low}")


class Migration(migrations.Migration):

    dependencies = [
        ('initiatives', '0002_initial'),
        ('timebank', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(bring_into_range, migrations.RunPython.noop),
    ]

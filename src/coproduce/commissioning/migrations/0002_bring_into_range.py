"""Rows written before the ranges existed are brought within them, in a migration of
their own: PostgreSQL does not alter a table in the transaction that updated it."""

from django.conf import settings
from django.db import migrations

# The ranges as they were when the constraints were added (coproduce.ranges holds today's).
LIMITS = [
    ('commissioning_budget', 'min_projects', '0', '10000'),
    ('commissioning_budget', 'max_projects', '0', '10000'),
    ('commissioning_budget', 'max_points', '1', '1000000'),
    ('commissioning_budget', 'minimum_age', '0', '120'),
    ('commissioning_budgetarea', 'amount', '0.01', '10000000000'),
    ('commissioning_proposal', 'estimated_cost', '0.01', '10000000000'),
    ('commissioning_proposal', 'reviewed_cost', '0.01', '10000000000'),
    ('commissioning_proposal', 'progress', '0', '100'),
    ('commissioning_review', 'cost', '0.01', '10000000000'),
    ('commissioning_ballotchoice', 'points', '1', '1000000'),
    ('commissioning_ballotchoice', 'rank', '1', '10000'),
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
        ('commissioning', '0001_initial'),
        ('initiatives', '0002_initial'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(bring_into_range, migrations.RunPython.noop),
    ]

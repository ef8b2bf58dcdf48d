"""Ranks and minimum ages written before their ranges existed are brought within them, in a
migration of their own: PostgreSQL does not alter a table in the transaction that updated it."""

from django.db import migrations

LIMITS = [
    ("commissioning_ballotchoice", "rank", 1, 10000),
    ("commissioning_budget", "minimum_age", 0, 120),
]


def bring_into_range(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        for table, column, low, high in LIMITS:
            table, column = quote(table), quote(column)
            cursor.execute(f"UPDATE {table} SET {column} = {high} WHERE {column} > {high}")
            cursor.execute(f"UPDATE {table} SET {column} = {low} WHERE {column} < {low}")


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0003_number_range_checks")]

    operations = [migrations.RunPython(bring_into_range, migrations.RunPython.noop)]

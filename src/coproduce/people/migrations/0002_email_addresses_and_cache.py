"""Accounts move to django-allauth (ADR 0006): every person gets the address record allauth
keeps, verified when the person had confirmed it, and the database cache that holds the
throttling counters gets its table."""

from django.core.management import call_command
from django.db import migrations


def add_email_addresses(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    EmailAddress = apps.get_model("account", "EmailAddress")
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(
                user_id=person_id, email=email, verified=confirmed, primary=True
            )
            for person_id, email, confirmed in Person.objects.values_list(
                "id", "email", "email_confirmed"
            )
            if person_id not in have
        ],
        batch_size=500,
    )


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(add_email_addresses, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]

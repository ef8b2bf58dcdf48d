"""Open311 API keys are stored as a SHA-256 digest and a short prefix, no longer as the key.

Existing keys keep working: their digest is computed here. Going back cannot recover a key from
its digest, so every key gets a new random value then (and must be issued again).
The plain column is dropped in the next migration, in a transaction of its own.
"""

import hashlib
import secrets

from django.db import migrations, models

PREFIX_LENGTH = 8


def hash_keys(apps, schema_editor):
    ApiKey = apps.get_model("service_requests", "ApiKey")
    for api_key in ApiKey.objects.all().only("pk", "key"):
        api_key.prefix = api_key.key[:PREFIX_LENGTH]
        api_key.key_hash = hashlib.sha256(api_key.key.encode("utf-8")).hexdigest()
        api_key.save(update_fields=["prefix", "key_hash"])


def reissue_keys(apps, schema_editor):
    ApiKey = apps.get_model("service_requests", "ApiKey")
    for api_key in ApiKey.objects.all().only("pk"):
        api_key.key = secrets.token_urlsafe(24)
        api_key.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("service_requests", "0002_update_visibility"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="prefix",
            field=models.CharField(
                default="", editable=False, max_length=8, verbose_name="key starts with"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apikey",
            name="key_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="key digest (SHA-256)"
            ),
        ),
        # Nullable and not unique on the way back, so the column can be re-added to existing
        # rows before ``reissue_keys`` fills it.
        migrations.AlterField(
            model_name="apikey",
            name="key",
            field=models.CharField(max_length=64, null=True, verbose_name="key"),
        ),
        migrations.RunPython(hash_keys, reissue_keys),
    ]

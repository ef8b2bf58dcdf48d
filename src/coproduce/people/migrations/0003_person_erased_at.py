from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_email_addresses_and_cache"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="erased_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text=(
                    "The account was closed and its personal data erased (it stays pseudonymous)."
                ),
                null=True,
                verbose_name="personal data erased",
            ),
        ),
    ]

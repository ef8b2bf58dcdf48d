from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("service_requests", "0003_apikey_hashed"),
    ]

    operations = [
        migrations.RemoveField(model_name="apikey", name="key"),
        migrations.AlterField(
            model_name="apikey",
            name="key_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="key digest (SHA-256)"
            ),
        ),
    ]

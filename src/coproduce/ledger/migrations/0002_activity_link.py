import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """A contribution names what it was for by a generic link (ADR 0004): the new columns."""

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('initiatives', '0002_initial'),
        ('ledger', '0001_initial'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='contribution',
            name='activity_id',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='activity'),
        ),
        migrations.AddField(
            model_name='contribution',
            name='activity_type',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='kind of activity'),
        ),
        migrations.AddField(
            model_name='contribution',
            name='supervised_by',
            field=models.ForeignKey(blank=True, help_text='The professional in charge of the activity, who may confirm the entry.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='supervised by'),
        ),
    ]

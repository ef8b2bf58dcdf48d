"""The ledger no longer names co-delivery's tasks and shifts: their columns go (the activity
link holds them now), so the ledger's data no longer needs the delivery app (ADR 0004)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0003_activity_from_task_and_shift"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='contribution',
            name='shift',
        ),
        migrations.RemoveField(
            model_name='contribution',
            name='task',
        ),
        migrations.AddIndex(
            model_name='contribution',
            index=models.Index(fields=['activity_type', 'activity_id'], name='ledger_contribution_activity'),
        ),
        migrations.AddConstraint(
            model_name='contribution',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('activity_id__isnull', True), ('activity_type__isnull', True)), models.Q(('activity_id__isnull', False), ('activity_type__isnull', False)), _connector='OR'), name='ledger_contribution_activity_whole'),
        ),
    ]

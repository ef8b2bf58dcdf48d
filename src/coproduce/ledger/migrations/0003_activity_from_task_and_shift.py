"""Each contribution's task or shift becomes its activity: a shift when the hours came from one
(its professional becomes the entry's supervisor), else the task. Reversible."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def _types(apps):
    content_type = apps.get_model("contenttypes", "ContentType")
    task, _created = content_type.objects.get_or_create(app_label="delivery", model="task")
    shift, _created = content_type.objects.get_or_create(app_label="delivery", model="shift")
    return task, shift


def forwards(apps, schema_editor) -> None:
    contribution = apps.get_model("ledger", "Contribution")
    shift_model = apps.get_model("delivery", "Shift")
    task_type, shift_type = _types(apps)
    professional = shift_model.objects.filter(pk=OuterRef("shift_id")).values("professional_id")
    contribution.objects.filter(shift__isnull=False).update(
        activity_type=shift_type,
        activity_id=F("shift_id"),
        supervised_by=Subquery(professional[:1]),
    )
    contribution.objects.filter(shift__isnull=True, task__isnull=False).update(
        activity_type=task_type, activity_id=F("task_id")
    )


def backwards(apps, schema_editor) -> None:
    contribution = apps.get_model("ledger", "Contribution")
    shift_model = apps.get_model("delivery", "Shift")
    task_type, shift_type = _types(apps)
    task_of_shift = shift_model.objects.filter(pk=OuterRef("activity_id")).values("task_id")
    contribution.objects.filter(activity_type=shift_type).update(
        shift_id=F("activity_id"), task_id=Subquery(task_of_shift[:1])
    )
    contribution.objects.filter(activity_type=task_type).update(task_id=F("activity_id"))


class Migration(migrations.Migration):
    """Data only, in its own transaction: PostgreSQL refuses to alter a table with row changes
    still waiting for their deferred foreign-key checks."""

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("delivery", "0002_models_moved_out"),
        ("ledger", "0002_activity_link"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""What co-delivery adds to the shared space: its tabs and its panel on the initiative page."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.components import Component, Panel, Tab

from .models import Shift, Task


def _panel(initiative, person) -> dict:
    upcoming = (
        Shift.objects.filter(
            task__initiative=initiative,
            task__status=Task.Status.OPEN,
            starts_at__gt=timezone.now(),
        )
        .select_related("task")
        .order_by("starts_at")[:3]
    )
    return {
        "open_tasks": initiative.tasks.filter(status=Task.Status.OPEN).count(),
        "upcoming": upcoming,
    }


COMPONENT = Component(
    name="delivery",
    label=_("Co-delivery: tasks and shifts"),
    order=30,
    tabs=(
        Tab("overview", _("Co-delivery"), "delivery:overview"),
        Tab("tasks", _("Tasks and shifts"), "delivery:tasks"),
        Tab("map", _("Map"), "delivery:map"),
        Tab(
            "my_shifts",
            _("My shifts"),
            "delivery:my_initiative_shifts",
            visible=lambda initiative, person: person.is_authenticated,
        ),
        Tab(
            "requirements",
            _("Requirements"),
            "delivery:requirements",
            visible=lambda initiative, person: person.has_perm(
                "delivery.confirm_requirements", initiative
            ),
        ),
    ),
    panel=Panel("delivery/_panel.html", _panel),
    in_use=lambda initiative: initiative.tasks.exists(),
    can_start=lambda initiative, person: person.has_perm("delivery.manage_tasks", initiative),
)

"""What co-delivery adds to the shared space: its tabs and its panel on the initiative page."""

from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.components import Component, Panel, Tab

from . import selectors
from .models import Task


def _panel(initiative, person) -> dict:
    return {
        "open_tasks": initiative.tasks.filter(status=Task.Status.OPEN).count(),
        "upcoming": selectors.upcoming_shifts(initiative)[:3],
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

"""What co-delivery adds to the shared space: its tabs and its panel on the initiative page."""

from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.components import Component, Panel, Tab

from . import selectors, services
from .models import ShiftSignup, Task


def _panel(initiative, person) -> dict:
    return {
        "open_tasks": initiative.tasks.filter(status=Task.Status.OPEN).count(),
        "upcoming": selectors.upcoming_shifts(initiative)[:3],
    }


def _on_leave(person, initiative, actor) -> None:
    services.shift_signups_cancel_on_leave(actor=actor, person=person, initiative=initiative)


def _leaving_consequences(person, initiative) -> list[str]:
    sentences = []
    for signup in selectors.signups_to_come(person, initiative, now=timezone.now()):
        names = {
            "task": signup.shift.task.title,
            "when": formats.date_format(
                timezone.localtime(signup.shift.starts_at), "DATETIME_FORMAT"
            ),
        }
        if signup.status == ShiftSignup.Status.BOOKED:
            sentence = gettext(
                "Your place on “%(task)s” (%(when)s) will be cancelled and offered to the first "
                "person waiting."
            )
        else:
            sentence = gettext("You will leave the waiting list of “%(task)s” (%(when)s).")
        sentences.append(sentence % names)
    return sentences


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
    on_leave=_on_leave,
    leaving_consequences=_leaving_consequences,
)

"""What co-commissioning adds to the shared space: the initiative's participatory budgets."""

from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.components import Component, Panel

from .models import Budget


def _can_open(initiative, person) -> bool:
    return person.has_perm("initiatives.edit_initiative", initiative)


def _panel(initiative, person) -> dict:
    can_open = _can_open(initiative, person)
    budgets = initiative.budgets.all()
    if not can_open:
        budgets = budgets.exclude(stage=Budget.Stage.DRAFT)
    return {"budgets": budgets, "can_open": can_open}


COMPONENT = Component(
    name="commissioning",
    label=_("Participatory budgets"),
    order=10,
    panel=Panel("commissioning/_panel.html", _panel),
    in_use=lambda initiative: initiative.budgets.exclude(stage=Budget.Stage.DRAFT).exists(),
    can_start=_can_open,
)

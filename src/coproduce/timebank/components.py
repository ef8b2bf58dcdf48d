"""What a timebank adds to the shared space: a tab and a panel, for initiatives that run one
(and, so they can open one, for their co-leads)."""

from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.components import Component, Panel, Tab

from . import selectors
from .models import Timebank


def _panel(initiative, person) -> dict:
    timebank = selectors.timebank_of(initiative)
    open_listings = selectors.timebank_listings(timebank).count() if timebank else 0
    return {"timebank": timebank, "open_listings": open_listings}


COMPONENT = Component(
    name="timebank",
    label=_("Timebank"),
    order=40,
    tabs=(Tab("timebank", _("Timebank"), "timebank:timebank"),),
    panel=Panel("timebank/_panel.html", _panel),
    in_use=lambda initiative: Timebank.objects.filter(initiative=initiative).exists(),
    can_start=lambda initiative, person: person.has_perm("timebank.manage_timebank", initiative),
)

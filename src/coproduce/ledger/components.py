"""What the contributions ledger adds to the shared space: its tabs and its panel.

Every initiative uses the ledger: anyone taking part may record what they gave, in any stage.
"""

from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.components import Component, Panel, Tab

from .selectors import contribution_totals


def _panel(initiative, person) -> dict:
    return {"totals": contribution_totals(initiative)}


COMPONENT = Component(
    name="ledger",
    label=_("Contributions"),
    order=90,
    tabs=(
        Tab("contributions", _("Contributions"), "ledger:contributions"),
        Tab(
            "ledger",
            _("Ledger"),
            "ledger:ledger",
            visible=lambda initiative, person: person.has_perm("ledger.view_ledger", initiative),
        ),
    ),
    panel=Panel("ledger/_panel.html", _panel),
)

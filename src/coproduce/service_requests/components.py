"""What reported problems add to the shared space: a tab and a panel, for initiatives that take
reports (they have kinds of problem to report), and for the co-leads who may set them up."""

from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.components import Component, Panel, Tab

from . import selectors
from .models import RequestCategory, ServiceRequest


def _panel(initiative, person) -> dict:
    waiting = (
        selectors.initiative_requests(initiative)
        .exclude(status=ServiceRequest.Status.CLOSED)
        .count()
    )
    return {"open_requests": waiting}


COMPONENT = Component(
    name="service_requests",
    label=_("Service requests"),
    order=45,
    tabs=(Tab("requests", _("Service requests"), "service_requests:requests"),),
    panel=Panel("service_requests/_panel.html", _panel),
    in_use=lambda initiative: RequestCategory.objects.filter(initiative=initiative).exists(),
    can_start=lambda initiative, person: person.has_perm(
        "service_requests.manage_request_categories", initiative
    ),
)

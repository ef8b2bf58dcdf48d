"""The site's URLs. Every component hangs off the shared space, ``/initiatives/<slug>/...``; the
addresses of the earlier layout answer with a permanent redirect (ADR 0004)."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .moved import moved

handler400 = "coproduce.web.bad_request"

admin.site.site_header = _("Coproduce administration")
admin.site.site_title = _("Coproduce")
# django-allauth answers a throttled request with this view (it looks for it here).
handler429 = "coproduce.people.views.too_many_requests"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("initiatives/", include("coproduce.initiatives.urls")),
    path("", include("coproduce.delivery.urls")),
    path("", include("coproduce.ledger.urls")),
    path("", include("coproduce.timebank.urls")),
    path("", include("coproduce.service_requests.urls")),
    path("people/", include("coproduce.people.urls")),
    # Sign-up, log-in, confirmation, password reset and change: django-allauth (ADR 0006).
    path("people/", include("allauth.account.urls")),
    path("", include("coproduce.commissioning.urls")),
    path("open311/v2/", include("coproduce.api.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The account pages before django-allauth served them.
    path("people/log-in/", moved("/people/login/")),
    path("people/log-out/", moved("/people/logout/")),
    path("people/sign-up/", moved("/people/signup/")),
    re_path(r"^people/confirm/[^/]+/$", moved("/people/email/")),
    # The first layout kept co-delivery under /delivery/.
    re_path(r"^delivery/(?P<rest>my-shifts/.*)$", moved("/{rest}")),
    re_path(r"^delivery/(?P<rest>calendar/[^/]+\.ics)$", moved("/{rest}")),
    re_path(r"^delivery/(?P<slug>[-\w]+)/$", moved("/initiatives/{slug}/delivery/")),
    re_path(r"^delivery/(?P<slug>[-\w]+)/(?P<rest>.+)$", moved("/initiatives/{slug}/{rest}")),
]

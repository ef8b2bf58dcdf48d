from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

admin.site.site_header = _("Coproduce administration")
admin.site.site_title = _("Coproduce")

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("initiatives/", include("coproduce.initiatives.urls")),
    path("people/", include("coproduce.people.urls")),
    path("budgets/", include("coproduce.commissioning.urls")),
    path("delivery/", include("coproduce.delivery.urls")),
    path("open311/v2/", include("coproduce.delivery.open311_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

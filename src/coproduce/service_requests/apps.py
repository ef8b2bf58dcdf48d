from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    name = "coproduce.service_requests"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        from coproduce.initiatives.components import register

        from .components import COMPONENT
        from .privacy import register_sections

        register(COMPONENT)
        register_sections()

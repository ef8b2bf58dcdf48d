from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "coproduce.delivery"
    verbose_name = _("Co-delivery")

    def ready(self) -> None:
        from coproduce.initiatives.components import register

        from .components import COMPONENT

        register(COMPONENT)

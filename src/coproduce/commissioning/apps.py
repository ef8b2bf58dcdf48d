from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissioningConfig(AppConfig):
    name = "coproduce.commissioning"
    verbose_name = _("Co-commissioning")

    def ready(self) -> None:
        from coproduce.initiatives.components import register

        from .components import COMPONENT
        from .privacy import register_sections

        register(COMPONENT)
        register_sections()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "coproduce.initiatives"
    verbose_name = _("Initiatives")

    def ready(self) -> None:
        from .privacy import register_sections

        register_sections()

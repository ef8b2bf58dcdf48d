from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "coproduce.ledger"
    verbose_name = _("Contributions ledger")

    def ready(self) -> None:
        from coproduce.initiatives.components import register

        from .components import COMPONENT
        from .privacy import register_sections

        register(COMPONENT)
        register_sections()

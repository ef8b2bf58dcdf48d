from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "coproduce.people"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from .privacy import register_sections

        register_sections()

        # Ids from outside are parsed by one helper, installed once for the whole site.
        from coproduce import ids

        ids.register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "coproduce.delivery"
    verbose_name = _("Co-delivery")

    def ready(self) -> None:
        from coproduce.initiatives.components import register
        from coproduce.ledger.activities import ActivitySource, register_activity_source

        from .components import COMPONENT
        from .models import Task
        from .privacy import register_sections

        register(COMPONENT)
        register_sections()
        # Contributions may name the task they were for (forms and timesheets).
        register_activity_source(
            ActivitySource(Task, lambda initiative: initiative.tasks.order_by("title"))
        )

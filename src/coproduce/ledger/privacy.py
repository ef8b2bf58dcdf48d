"""What the ledger holds about a person (see ``people.personal_data``): their contributions."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from coproduce.people.personal_data import Section, register, rows

from .models import Contribution


def _contributions(person) -> list[dict[str, Any]]:
    return rows(
        Contribution.objects.filter(person=person).order_by("occurred_on", "id"),
        "id",
        "initiative_id",
        "initiative__title",
        "phase__kind",
        "capacity",
        "organisation_id",
        "kind",
        "work_type",
        "quantity",
        "value",
        "occurred_on",
        "description",
        "status",
        "source",
        "recorded_at",
        "confirmed_at",
        "disputed_at",
        "dispute_reason",
        "corrects_id",
        "is_reversal",
        "correction_reason",
    )


def register_sections() -> None:
    # Contributions are evidence others rely on (the initiative's totals): erasure keeps them,
    # naming the contributor by the pseudonymous account.
    register(
        Section(
            "contributions",
            (Contribution,),
            _contributions,
            label=_("Your contributions (time, money, resources)"),
            on_erasure=_("Kept under the pseudonym, so the initiative's totals do not change."),
        )
    )

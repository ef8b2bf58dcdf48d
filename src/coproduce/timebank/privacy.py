"""What the timebank holds about a person (see ``people.personal_data``): accounts with their
balances and movements, listings and exchanges."""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coproduce.people.personal_data import Section, register, rows

from .models import Exchange, Listing, Movement, TimebankAccount, Transfer


def _accounts(person) -> list[dict[str, Any]]:
    accounts = rows(
        TimebankAccount.objects.filter(person=person).order_by("id"),
        "id",
        "timebank__initiative__title",
        "balance",
        "opened_at",
    )
    movements: dict[int, list[dict[str, Any]]] = {}
    for movement in rows(
        Movement.objects.filter(account__person=person).order_by("transfer__created_at", "id"),
        "account_id",
        "transfer_id",
        "transfer__created_at",
        "transfer__memo",
        "amount",
    ):
        movements.setdefault(movement.pop("account_id"), []).append(movement)
    for account in accounts:
        account["movements"] = movements.get(account["id"], [])
    return accounts


def _listings(person) -> list[dict[str, Any]]:
    return rows(
        Listing.objects.filter(account__person=person).order_by("created_at", "id"),
        "id",
        "timebank__initiative__title",
        "kind",
        "category",
        "title",
        "description",
        "status",
        "created_at",
    )


def _exchanges(person) -> list[dict[str, Any]]:
    return rows(
        Exchange.objects.filter(Q(giver__person=person) | Q(receiver__person=person)).order_by(
            "created_at", "id"
        ),
        "id",
        "timebank__initiative__title",
        "giver_id",
        "receiver_id",
        "hours",
        "description",
        "status",
        "created_at",
        "completed_at",
    )


def _erase_listings(person, now: dt.datetime) -> int:
    """Nobody can answer an absent member's offer or request any more."""
    return Listing.objects.filter(account__person=person, status=Listing.Status.OPEN).update(
        status=Listing.Status.CLOSED
    )


def _erase_exchanges(person, now: dt.datetime) -> int:
    """An exchange still waiting can no longer be completed by both sides; completed ones stay
    (their hours are in both balances)."""
    return Exchange.objects.filter(
        Q(giver__person=person) | Q(receiver__person=person), status=Exchange.Status.PROPOSED
    ).update(status=Exchange.Status.CANCELLED)


def register_sections() -> None:
    register(
        Section(
            "timebank_accounts",
            (TimebankAccount, Transfer),
            _accounts,
            label=_("Your timebank accounts and their movements"),
            on_erasure=_("Kept with their movements, so every balance stays the same."),
        )
    )
    register(
        Section(
            "timebank_listings",
            (),
            _listings,
            _erase_listings,
            label=_("Your timebank offers and requests"),
            on_erasure=_("Open listings are closed."),
        )
    )
    register(
        Section(
            "timebank_exchanges",
            (Exchange,),
            _exchanges,
            _erase_exchanges,
            label=_("Your timebank exchanges"),
            on_erasure=_("Exchanges still waiting are cancelled; completed ones stay."),
        )
    )

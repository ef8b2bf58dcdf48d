"""What co-commissioning holds about a person (see ``people.personal_data``): their ballots
with receipts and choices, the proposals they submitted, the reviews they wrote and the census
lists that name their address."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from coproduce.people.personal_data import Section, register, rows

from .models import Ballot, BallotChoice, CensusEntry, Proposal, Review


def _ballots(person) -> list[dict[str, Any]]:
    ballots = rows(
        Ballot.objects.filter(voter=person).order_by("cast_at", "id"),
        "id",
        "budget_id",
        "budget__title",
        "channel",
        "receipt",
        "area",
        "counted",
        "cast_at",
        "updated_at",
    )
    choices: dict[int, list[dict[str, Any]]] = {}
    for choice in rows(
        BallotChoice.objects.filter(ballot__voter=person).order_by("ballot_id", "rank", "id"),
        "ballot_id",
        "proposal__code",
        "proposal__title",
        "points",
        "rank",
    ):
        choices.setdefault(choice.pop("ballot_id"), []).append(choice)
    for ballot in ballots:
        ballot["choices"] = choices.get(ballot["id"], [])
    return ballots


def _proposals(person) -> list[dict[str, Any]]:
    return rows(
        Proposal.objects.filter(submitted_by=person).order_by("submitted_at", "id"),
        "id",
        "budget_id",
        "budget__title",
        "code",
        "title",
        "description",
        "location",
        "estimated_cost",
        "status",
        "on_behalf_of_id",
        "submitted_at",
    )


def _reviews(person) -> list[dict[str, Any]]:
    return rows(
        Review.objects.filter(reviewer=person).order_by("created_at", "id"),
        "id",
        "proposal_id",
        "proposal__title",
        "feasible",
        "cost",
        "reason",
        "created_at",
    )


def _census(person) -> list[dict[str, Any]]:
    return rows(
        CensusEntry.objects.filter(email__iexact=person.email).order_by("id"),
        "id",
        "budget_id",
        "budget__title",
        "email",
        "area",
    )


def _erase_census(person, now: dt.datetime) -> int:
    """The census keeps its size (turnout is measured against it) but not the address."""
    count = 0
    for entry in CensusEntry.objects.filter(email__iexact=person.email).select_for_update():
        entry.email = f"erased-census-{entry.pk}@erased.invalid"
        entry.area = ""
        entry.save(update_fields=["email", "area"])
        count += 1
    return count


def register_sections() -> None:
    kept = _("Kept under the pseudonym, so results and turnout do not change.")
    register(
        Section(
            "ballots",
            (Ballot,),
            _ballots,
            label=_("Your ballots, with their receipts"),
            on_erasure=kept,
        )
    )
    register(
        Section(
            "proposals", (Proposal,), _proposals, label=_("Projects you proposed"), on_erasure=kept
        )
    )
    register(Section("reviews", (Review,), _reviews, label=_("Reviews you wrote"), on_erasure=kept))
    register(
        Section(
            "census_entries",
            (CensusEntry,),
            _census,
            _erase_census,
            label=_("Voter lists that name your address"),
            on_erasure=_("Your address and area are erased; the list keeps its length."),
        )
    )

"""Reads for budget pages, results, statistics and exports."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length

from .models import Ballot, BallotChoice, Budget, BudgetArea, Proposal, Result


def budget_list() -> QuerySet[Budget]:
    return (
        Budget.objects.exclude(stage=Budget.Stage.DRAFT)
        .select_related("initiative")
        .prefetch_related("areas")
        .order_by("-id")
    )


def budget_visible_to(budget: Budget, person) -> bool:
    if budget.stage != Budget.Stage.DRAFT:
        return True
    return getattr(person, "is_authenticated", False) and person.has_perm(
        "commissioning.manage_budget", budget
    )


def budget_proposals(budget: Budget, *, public_only: bool = False) -> QuerySet[Proposal]:
    qs = budget.proposals.select_related("area", "submitted_by", "on_behalf_of").order_by(
        "area__name", Length("code"), "code"
    )
    if public_only:
        qs = qs.exclude(status=Proposal.Status.WITHDRAWN)
    return qs


def ballot_proposals(budget: Budget) -> list[tuple[BudgetArea, list[Proposal]]]:
    """What a voter sees: the feasible projects, grouped by area heading."""
    feasible = list(
        budget.proposals.filter(status=Proposal.Status.FEASIBLE)
        .select_related("area")
        .order_by("area__name", Length("code"), "code")
    )
    return [(area, [p for p in feasible if p.area_id == area.pk]) for area in budget.areas.all()]


def ballot_of(budget: Budget, person) -> Ballot | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return budget.ballots.filter(voter=person).prefetch_related("choices__proposal").first()


def ballot_by_receipt(budget: Budget, code: str) -> Ballot | None:
    return budget.ballots.filter(receipt=code.strip().upper()).first()


def paper_ballots_waiting(budget: Budget) -> QuerySet[Ballot]:
    return (
        budget.ballots.filter(channel=Ballot.Channel.PAPER, counted=False)
        .select_related("entered_by")
        .prefetch_related("choices__proposal")
        .order_by("cast_at")
    )


@dataclass(frozen=True)
class TurnoutStatistics:
    total: int
    by_channel: list[tuple[str, int]]
    by_area: list[tuple[str, int]]
    by_day: list[tuple[object, int]]
    waiting_confirmation: int


def budget_statistics(budget: Budget) -> TurnoutStatistics:
    """Turnout by channel, by area and by day: three grouped counts in the database, which an
    index on (budget, counted, channel) keeps fast for hundreds of thousands of ballots."""
    counted = Ballot.objects.filter(budget=budget, counted=True)
    labels = dict(Ballot.Channel.choices)
    by_channel = [
        (str(labels[row["channel"]]), row["n"])
        for row in counted.values("channel").annotate(n=Count("id")).order_by("channel")
    ]
    by_area = [
        (row["area"], row["n"])
        for row in counted.values("area").annotate(n=Count("id")).order_by("-n", "area")
    ]
    by_day = [
        (row["cast_on"], row["n"])
        for row in counted.values("cast_on").annotate(n=Count("id")).order_by("cast_on")
    ]
    waiting = Ballot.objects.filter(budget=budget, counted=False).count()
    return TurnoutStatistics(
        total=sum(n for _, n in by_channel),
        by_channel=by_channel,
        by_area=by_area,
        by_day=by_day,
        waiting_confirmation=waiting,
    )


def proposal_support(budget: Budget) -> dict[int, int]:
    """Counted ballots supporting each proposal."""
    return dict(
        BallotChoice.objects.filter(ballot__budget=budget, ballot__counted=True)
        .values("proposal_id")
        .annotate(n=Count("id"))
        .values_list("proposal_id", "n")
    )


def budget_results(budget: Budget) -> list[Result]:
    return list(
        budget.results.select_related("area").prefetch_related("selected").order_by("area__name")
    )


def funded_proposals(budget: Budget) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(Q(budget=budget), Q(pk__in=budget.results.values("selected")))
        .select_related("area")
        .prefetch_related("milestones")
        .order_by("area__name", Length("code"), "code")
    )

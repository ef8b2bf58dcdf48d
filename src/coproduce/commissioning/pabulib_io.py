"""Import a pabulib ``.pb`` file as a budget with its ballots (to replay a real election), and
export any closed vote as ``.pb`` for researchers and other tools."""

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record
from coproduce.initiatives.models import Initiative
from coproduce.methods.pb import pabulib
from coproduce.people.models import Person
from coproduce.people.permissions import require

from .models import Ballot, BallotChoice, Budget, BudgetArea, Proposal
from .services import budget_create

BATCH = 5000
_BALLOT_TYPES = {
    "approval": Budget.BallotType.APPROVAL,
    "choose-1": Budget.BallotType.APPROVAL,
    "cumulative": Budget.BallotType.CUMULATIVE,
    "scoring": Budget.BallotType.CUMULATIVE,
    "ordinal": Budget.BallotType.RANKING,
}
_VOTE_TYPES = {
    Budget.BallotType.APPROVAL: "approval",
    Budget.BallotType.KNAPSACK: "approval",
    Budget.BallotType.APPROVAL_COUNT: "approval",
    Budget.BallotType.CUMULATIVE: "cumulative",
    Budget.BallotType.RANKING: "ordinal",
}


def to_decimal(value: pabulib.Number) -> Decimal:
    """Exact for the money found in pabulib files (whole units or cents)."""
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(value.numerator) / Decimal(value.denominator)


def to_number(value: Decimal) -> pabulib.Number:
    fraction = Fraction(value)
    return fraction.numerator if fraction.denominator == 1 else fraction


def _int_meta(meta: dict[str, str], key: str) -> int | None:
    try:
        return int(meta[key])
    except (KeyError, ValueError):
        return None


def budget_import_pabulib(
    *,
    actor: Person,
    initiative: Initiative,
    data: bytes,
    slug: str,
    title: str = "",
    filename: str = "upload.pb",
    rule: str = Budget.Rule.MES,
    completion: str = Budget.Completion.ADD1_GREEDY,
    utility: str | None = None,
) -> Budget:
    """Create a closed budget holding the file's projects and ballots, ready to tally.

    Asks the permission before reading the file, so nobody else makes the server parse it."""
    require(
        actor,
        "commissioning.create_budget",
        initiative,
        _("Only the initiative's co-leads may import a vote."),
    )
    try:
        election = pabulib.parse(data.decode("utf-8-sig"), source=filename)
    except UnicodeDecodeError as error:
        raise ValidationError(_("The file is not UTF-8 text.")) from error
    except pabulib.PabulibError as error:
        raise ValidationError(str(error)) from error
    meta = election.meta
    ballot_type = _BALLOT_TYPES[election.vote_type]
    if utility is None:
        utility = Budget.Utility.COST
    bad_costs = [p.project_id for p in election.projects if p.cost <= 0]
    if bad_costs:
        raise ValidationError(
            _("%(file)s: projects %(ids)s have no positive cost.")
            % {"file": filename, "ids": ", ".join(bad_costs)}
        )
    area_name = meta.get("district") or meta.get("subunit") or meta.get("unit") or initiative.area
    description = meta.get("description", "")
    with transaction.atomic():
        budget = budget_create(
            actor=actor,
            initiative=initiative,
            title=title or f"{meta.get('unit', '')} {meta.get('instance', '')}".strip() or slug,
            slug=slug,
            description=description,
            currency=(meta.get("currency") or "EUR")[:3].upper(),
            areas=[(area_name[:120], to_decimal(election.budget))],
            ballot_type=ballot_type,
            min_projects=_int_meta(meta, "min_length") or 0,
            max_projects=_int_meta(meta, "max_length"),
            max_points=_int_meta(meta, "max_sum_points"),
            rule=rule,
            utility=utility,
            completion=completion,
            eligibility=Budget.Eligibility.ANYONE,
            stage=Budget.Stage.CLOSED,
            source=filename,
        )
        area = budget.areas.get()
        proposals = Proposal.objects.bulk_create(
            Proposal(
                budget=budget,
                area=area,
                code=project.project_id,
                title=(project.name or project.project_id)[:200],
                description=project.fields.get("description", ""),
                location=project.fields.get("category", "")[:200],
                estimated_cost=to_decimal(project.cost),
                reviewed_cost=to_decimal(project.cost),
                status=Proposal.Status.FEASIBLE,
            )
            for project in election.projects
        )
        ids = {p.code: p.pk for p in proposals}
        now = timezone.now()
        for start in range(0, len(election.ballots), BATCH):
            chunk = election.ballots[start : start + BATCH]
            ballots = Ballot.objects.bulk_create(
                Ballot(
                    budget=budget,
                    voter_code=b.voter_id,
                    area=(b.fields.get("district") or b.fields.get("neighborhood") or "")[:120],
                    channel=Ballot.Channel.IMPORT,
                    cast_at=now,
                    cast_on=timezone.localdate(now),
                    updated_at=now,
                )
                for b in chunk
            )
            choices = []
            for ballot, source in zip(ballots, chunk, strict=True):
                for position, code in enumerate(source.projects):
                    choice = BallotChoice(ballot_id=ballot.pk, proposal_id=ids[code])
                    if ballot_type == Budget.BallotType.CUMULATIVE and source.points:
                        choice.points = int(source.points[position])
                    if ballot_type == Budget.BallotType.RANKING:
                        choice.rank = position + 1
                    choices.append(choice)
            BallotChoice.objects.bulk_create(choices, batch_size=BATCH)
        budget.voting_closed_at = now
        budget.save(update_fields=["voting_closed_at"])
        audit_record(
            actor=actor,
            action="budget.import_pabulib",
            target=budget,
            payload={
                "file": filename,
                "projects": len(election.projects),
                "ballots": len(election.ballots),
            },
        )
    return budget


def area_election(budget: Budget, area: BudgetArea) -> pabulib.Election:
    """The counted ballots of one area heading as an election the rules can tally."""
    proposals = list(budget.proposals.filter(area=area, status=Proposal.Status.FEASIBLE))
    code_of = {p.pk: p.code for p in proposals}
    rows = (
        BallotChoice.objects.filter(
            ballot__budget=budget, ballot__counted=True, proposal__in=proposals
        )
        .order_by("ballot_id", "rank", "id")
        .values_list("ballot_id", "ballot__voter_code", "proposal_id", "points")
    )
    grouped: dict[int, list] = defaultdict(list)
    voter_codes: dict[int, str] = {}
    for ballot_id, voter_code, proposal_id, points in rows.iterator(chunk_size=20000):
        grouped[ballot_id].append((code_of[proposal_id], points))
        voter_codes[ballot_id] = voter_code or str(ballot_id)
    vote_type = _VOTE_TYPES[budget.ballot_type]
    ballots = tuple(
        pabulib.Ballot(
            voter_id=voter_codes[ballot_id],
            projects=tuple(code for code, _ in picks),
            points=tuple(p for _, p in picks) if vote_type == "cumulative" else None,
        )
        for ballot_id, picks in grouped.items()
    )
    meta = {
        "description": budget.title,
        "unit": area.name,
        "num_projects": str(len(proposals)),
        "num_votes": str(len(ballots)),
        "budget": pabulib.format_number(to_number(area.amount)),
        "vote_type": vote_type,
        "rule": f"{budget.rule}-{budget.completion}",
        "currency": budget.currency,
    }
    if budget.max_points:
        meta["max_sum_points"] = str(budget.max_points)
    if budget.max_projects:
        meta["max_length"] = str(budget.max_projects)
    if budget.min_projects:
        meta["min_length"] = str(budget.min_projects)
    projects = tuple(
        pabulib.Project(
            project_id=p.code,
            cost=to_number(p.cost),
            fields={"name": p.title},
        )
        for p in proposals
    )
    return pabulib.Election(
        meta=meta,
        projects=projects,
        ballots=ballots,
        budget=to_number(area.amount),
        vote_type=vote_type,
        project_columns=("project_id", "cost", "name"),
        vote_columns=("voter_id", "vote", "points")
        if vote_type == "cumulative"
        else (
            "voter_id",
            "vote",
        ),
    )


def budget_export_pabulib(budget: Budget, area: BudgetArea) -> str:
    if not budget.stage_reached(Budget.Stage.CLOSED):
        raise ValidationError(_("Only a closed vote can be exported."))
    return pabulib.write(area_election(budget, area))

"""Import a pabulib ``.pb`` file as a budget with its ballots (to replay a real election), and
export any closed vote as ``.pb`` for researchers and other tools.

An imported file is checked whole before anything is stored: every number must fit the budget's
ranges (``limits``), so that no page, export or tally of the budget can break on it later, and
each problem is named with its line.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
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

from .limits import (
    MAX_POINTS,
    MAX_PROJECTS,
    PROJECT_CODE_LENGTH,
    VOTER_CODE_LENGTH,
    money_problem,
    whole_problem,
)
from .models import Ballot, BallotChoice, Budget, BudgetArea, Proposal
from .services import budget_create

BATCH = 5000
#: Problems listed before the rest are only counted (a broken file may have thousands).
SHOWN_PROBLEMS = 20
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


@dataclass(frozen=True)
class PabulibImport:
    """An imported vote: the new budget and the irregularities read as pabutools reads them
    (each ``"file: line N: ..."``)."""

    budget: Budget
    warnings: tuple[str, ...] = ()


@dataclass
class _Settings:
    """The ballot settings of a file, as the budget holds them."""

    min_projects: int = 0
    max_projects: int | None = None
    max_points: int | None = None


class _Problems:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.found: list[str] = []

    def add(self, line: int, problem: str) -> None:
        self.found.append(
            _("%(file)s: line %(line)d: %(problem)s")
            % {"file": self.filename, "line": line, "problem": problem}
        )

    def raise_any(self) -> None:
        if not self.found:
            return
        shown = self.found[:SHOWN_PROBLEMS]
        if len(self.found) > SHOWN_PROBLEMS:
            shown.append(_("… and %(n)d more problems.") % {"n": len(self.found) - SHOWN_PROBLEMS})
        raise ValidationError(shown)


def read_election(
    data: bytes, filename: str, strict: bool = False
) -> tuple[pabulib.Election, _Settings]:
    """The election of a ``.pb`` file whose every number fits a budget, and its ballot
    settings; or a ValidationError listing each problem with its line. Nothing is stored."""
    try:
        election = pabulib.parse(data.decode("utf-8-sig"), source=filename, strict=strict)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValidationError(
            _("%(file)s: line %(line)d: the file is not UTF-8 text.")
            % {"file": filename, "line": line}
        ) from error
    except pabulib.PabulibError as error:
        raise ValidationError(str(error)) from error
    problems = _Problems(filename)
    _check_projects(election, problems)
    _check_ballots(election, problems)
    settings = _settings(election, problems)
    problems.raise_any()
    return election, settings


def _check_projects(election: pabulib.Election, problems: _Problems) -> None:
    if not election.projects:
        problems.add(election.section_lines["projects"], _("the file has no projects."))
    if len(election.projects) > MAX_PROJECTS:
        problems.add(
            election.projects[MAX_PROJECTS].line,
            _("more than %(max)d projects.") % {"max": MAX_PROJECTS},
        )
    budget_problem = money_problem(election.budget)
    if budget_problem:
        problems.add(
            election.meta_lines["budget"],
            _("budget %(value)s %(problem)s.")
            % {"value": _shown(election.budget), "problem": budget_problem},
        )
    for project in election.projects:
        if len(project.project_id) > PROJECT_CODE_LENGTH:
            problems.add(
                project.line,
                _("project id %(id)s is longer than %(max)d characters.")
                % {"id": repr(project.project_id[:50]), "max": PROJECT_CODE_LENGTH},
            )
        cost_problem = money_problem(project.cost)
        if cost_problem:
            problems.add(
                project.line,
                _("cost %(value)s of project %(id)s %(problem)s.")
                % {
                    "value": _shown(project.cost),
                    "id": repr(project.project_id[:50]),
                    "problem": cost_problem,
                },
            )


def _check_ballots(election: pabulib.Election, problems: _Problems) -> None:
    """Voter ids and points, through the column views (a city-wide file has 100,000 ballots)."""
    ballots = election.ballot_columns()
    for i, voter_id in enumerate(ballots.voter_ids):
        if len(voter_id) > VOTER_CODE_LENGTH:
            problems.add(
                ballots.line(i),
                _("voter id %(id)s is longer than %(max)d characters.")
                % {"id": repr(voter_id[:70]), "max": VOTER_CODE_LENGTH},
            )
    points = ballots.flat_points
    if not points:
        return
    indptr = _indptr(election)
    for k, value in enumerate(points):
        problem = whole_problem(value, 1, MAX_POINTS)
        if problem:
            ballot = bisect_right(indptr, k) - 1
            problems.add(
                ballots.line(ballot),
                _("points %(value)s of voter %(id)s %(problem)s.")
                % {
                    "value": _shown(value),
                    "id": repr(ballots.voter_ids[ballot][:70]),
                    "problem": problem,
                },
            )


def _indptr(election: pabulib.Election) -> list[int]:
    """Ballot ``i``'s choices are ``flat_points[indptr[i]:indptr[i + 1]]``."""
    return election.ballot_columns().csr({p.project_id: 0 for p in election.projects})[0]


def _settings(election: pabulib.Election, problems: _Problems) -> _Settings:
    """min_length, max_length and max_sum_points of META, as the budget will hold them.

    A maximum number of projects at least the number of projects limits nothing: it is kept
    as "no maximum", as pabutools does. A cumulative file without max_sum_points gets the most
    points one of its ballots gives."""
    meta, lines = election.meta, election.meta_lines
    wholes = {}
    for key, minimum, maximum in (
        ("min_length", 0, MAX_PROJECTS),
        ("max_length", 1, MAX_PROJECTS),
        ("max_sum_points", 1, MAX_POINTS),
    ):
        if not meta.get(key):
            continue
        try:
            value = pabulib.parse_number(meta[key])
        except ValueError:
            value = None
        problem = whole_problem(value, minimum, maximum)
        if problem:
            problems.add(
                lines[key],
                _("%(key)s %(value)s %(problem)s.")
                % {"key": key, "value": repr(meta[key][:30]), "problem": problem},
            )
        else:
            wholes[key] = int(value)
    settings = _Settings(min_projects=wholes.get("min_length", 0))
    maximum = wholes.get("max_length")
    if maximum is not None and maximum < len(election.projects):
        settings.max_projects = maximum
        if settings.min_projects > maximum:
            problems.add(
                lines["min_length"],
                _("min_length %(min)d is more than max_length %(max)d.")
                % {"min": settings.min_projects, "max": maximum},
            )
    if _BALLOT_TYPES[election.vote_type] == Budget.BallotType.CUMULATIVE:
        settings.max_points = wholes.get("max_sum_points") or _largest_ballot(election)
    return settings


def _largest_ballot(election: pabulib.Election) -> int:
    """The most points one ballot gives, within the budget's range."""
    points = election.ballot_columns().flat_points or []
    indptr = _indptr(election)
    totals = (sum(points[lo:hi]) for lo, hi in zip(indptr, indptr[1:], strict=False))
    return int(min(max(max(totals, default=1), 1), MAX_POINTS))


def _shown(value: pabulib.Number) -> str:
    text = pabulib.format_number(value)
    return text if len(text) <= 30 else text[:27] + "…"


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
    strict: bool = False,
) -> PabulibImport:
    """Create a closed budget holding the file's projects and ballots, ready to tally.

    A file that does not fit the budget's ranges is refused whole (``read_election``).
    Irregularities that pabutools reads (a project listed twice in a vote, a stray quote) are
    read its way and returned as warnings, or refused with ``strict``. Asks the permission
    before reading the file, so nobody else makes the server parse it."""
    require(
        actor,
        "commissioning.create_budget",
        initiative,
        _("Only the initiative's co-leads may import a vote."),
    )
    filename = filename[:200]
    election, settings = read_election(data, filename, strict)
    meta = election.meta
    ballot_type = _BALLOT_TYPES[election.vote_type]
    title = (title or f"{meta.get('unit', '')} {meta.get('instance', '')}".strip() or slug)[:200]
    area_name = (
        meta.get("district") or meta.get("subunit") or meta.get("unit") or initiative.area or title
    )[:120]
    with transaction.atomic():
        try:
            budget = budget_create(
                actor=actor,
                initiative=initiative,
                title=title,
                slug=slug,
                description=meta.get("description", ""),
                currency=(meta.get("currency") or "EUR")[:3].upper(),
                areas=[(area_name, to_decimal(election.budget))],
                ballot_type=ballot_type,
                min_projects=settings.min_projects,
                max_projects=settings.max_projects,
                max_points=settings.max_points,
                rule=rule,
                utility=utility or Budget.Utility.COST,
                completion=completion,
                eligibility=Budget.Eligibility.ANYONE,
                stage=Budget.Stage.CLOSED,
                source=filename,
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        _store_ballots(budget, election, ballot_type)
        warnings = tuple(f"{filename}: {warning}" for warning in election.warnings)
        audit_record(
            actor=actor,
            action="budget.import_pabulib",
            target=budget,
            payload={
                "file": filename,
                "projects": len(election.projects),
                "ballots": len(election.ballots),
                "warnings": len(warnings),
            },
        )
    return PabulibImport(budget, warnings)


def _store_ballots(budget: Budget, election: pabulib.Election, ballot_type: str) -> None:
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

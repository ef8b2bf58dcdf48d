"""Every write of a participatory budget, each checking its actor's permission (the rules of
``commissioning.rules``) and running in one transaction with its audit entry.

Closing a vote and publishing its result are audited as decisions of the initiative (action
names ``budget.close_vote`` and ``budget.publish``), so a decision register can list them.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_checkpoint, audit_record
from coproduce.initiatives.models import Initiative, Phase
from coproduce.people.models import Organisation, Person
from coproduce.people.permissions import require
from coproduce.ranges import PROGRESS_PERCENT
from coproduce.uploads import clean_image

from .ballots import BallotRules, check_ballot
from .limits import check_money
from .models import (
    Ballot,
    BallotChoice,
    Budget,
    BudgetArea,
    CensusEntry,
    Milestone,
    Proposal,
    Result,
    Review,
)


def _stage(budget_id: int) -> str:
    """The stage as stored now: a caller's copy of the budget may predate a change of stage."""
    return Budget.objects.values_list("stage", flat=True).get(pk=budget_id)


NEXT_STAGE = dict(zip(Budget.STAGE_ORDER, Budget.STAGE_ORDER[1:], strict=False))


def _require_manager(actor: Person, budget: Budget) -> None:
    require(
        actor,
        "commissioning.manage_budget",
        budget,
        _("Only the initiative's co-leads may do this."),
    )


def _require_official(actor: Person, budget: Budget) -> None:
    require(
        actor,
        "commissioning.enter_paper_ballot",
        budget,
        _("Only officials of the initiative enter paper ballots."),
    )


def budget_create(
    *,
    actor: Person,
    initiative: Initiative,
    title: str,
    slug: str,
    areas: Iterable[tuple[str, Decimal]],
    description: str = "",
    currency: str = "EUR",
    ballot_type: str = Budget.BallotType.APPROVAL,
    min_projects: int = 0,
    max_projects: int | None = None,
    max_points: int | None = None,
    rule: str = Budget.Rule.MES,
    utility: str = Budget.Utility.COST,
    completion: str = Budget.Completion.ADD1_GREEDY,
    eligibility: str = Budget.Eligibility.RESIDENTS,
    minimum_age: int | None = None,
    stage: str = Budget.Stage.DRAFT,
    source: str = "",
) -> Budget:
    """Open a budget in the initiative's co-commissioning phase, announcing its tally rule."""
    require(
        actor,
        "commissioning.create_budget",
        initiative,
        _("Only the initiative's co-leads may open a budget."),
    )
    areas = list(areas)
    if not areas:
        raise ValidationError(_("A budget needs at least one area heading with an amount."))
    if not initiative.phases.filter(kind=Phase.Kind.COMMISSION).exists():
        raise ValidationError(_("This initiative has no co-commissioning phase."))
    if ballot_type == Budget.BallotType.CUMULATIVE and not max_points:
        raise ValidationError(_("A cumulative ballot needs the number of points each voter has."))
    if utility == Budget.Utility.POINTS and ballot_type != Budget.BallotType.CUMULATIVE:
        # A ranking gives no points of its own; like pabutools, we do not invent a scoring.
        raise ValidationError(_("Points as utility need a cumulative ballot."))
    with transaction.atomic():
        budget = Budget(
            initiative=initiative,
            title=title,
            slug=slug,
            description=description,
            currency=currency,
            ballot_type=ballot_type,
            min_projects=min_projects,
            max_projects=max_projects,
            max_points=max_points,
            rule=rule,
            utility=utility,
            completion=completion,
            eligibility=eligibility,
            minimum_age=minimum_age,
            stage=stage,
            source=source,
        )
        budget.full_clean()
        budget.save()
        for name, amount in areas:
            area = BudgetArea(budget=budget, name=name, amount=amount)
            area.full_clean()
            area.save()
        audit_record(
            actor=actor,
            action="budget.create",
            target=budget,
            payload={
                "initiative": initiative.pk,
                "areas": [[name, str(amount)] for name, amount in areas],
                "ballot_type": ballot_type,
                "rule": rule,
                "utility": utility,
                "completion": completion,
                "eligibility": eligibility,
            },
        )
    return budget


def budget_advance(*, actor: Person, budget: Budget, to_stage: str) -> Budget:
    """Move a budget to its next stage; stages never go back and never skip."""
    _require_manager(actor, budget)
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        if NEXT_STAGE.get(budget.stage) != to_stage:
            raise ValidationError(
                _("A budget in stage “%(stage)s” cannot move to “%(to)s”.")
                % {"stage": budget.get_stage_display(), "to": Budget.Stage(to_stage).label}
            )
        if to_stage == Budget.Stage.VOTING:
            if not budget.proposals.filter(status=Proposal.Status.FEASIBLE).exists():
                raise ValidationError(_("No proposal has been found feasible: nothing to vote on."))
            if budget.proposals.filter(status=Proposal.Status.SUBMITTED).exists():
                raise ValidationError(_("Every proposal must be reviewed before voting opens."))
            budget.voting_opens_at = timezone.now()
        if to_stage == Budget.Stage.CLOSED:
            budget.voting_closed_at = timezone.now()
        if to_stage == Budget.Stage.PUBLISHED and budget.results.count() != budget.areas.count():
            raise ValidationError(_("Compute the result before publishing it."))
        budget.stage = to_stage
        budget.save(update_fields=["stage", "voting_opens_at", "voting_closed_at"])
        action = {
            Budget.Stage.CLOSED: "budget.close_vote",
            Budget.Stage.PUBLISHED: "budget.publish",
        }.get(to_stage, "budget.advance")
        payload: dict = {"initiative": budget.initiative_id, "stage": to_stage}
        if to_stage == Budget.Stage.CLOSED:
            payload["ballots_counted"] = budget.ballots.filter(counted=True).count()
            payload["rule"] = budget.rule
        if to_stage == Budget.Stage.PUBLISHED:
            payload["funded"] = sorted(
                code for result in budget.results.all() for code in result.explanation["selected"]
            )
        audit_record(actor=actor, action=action, target=budget, payload=payload)
    return budget


def budget_set_rule(*, actor: Person, budget: Budget, rule: str) -> Budget:
    """Change the tally rule. The rule is announced before voting, so it is fixed once voting
    opens: changing it afterwards would change the election."""
    _require_manager(actor, budget)
    if rule not in Budget.Rule.values:
        raise ValidationError({"rule": _("Unknown rule.")})
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        if budget.stage_reached(Budget.Stage.VOTING):
            raise ValidationError(_("The rule is fixed once voting opens."))
        if budget.rule != rule:
            previous = budget.rule
            budget.rule = rule
            budget.save(update_fields=["rule"])
            audit_record(
                actor=actor,
                action="budget.set_rule",
                target=budget,
                payload={"initiative": budget.initiative_id, "from": previous, "to": rule},
            )
    return budget


def proposal_submit(
    *,
    actor: Person,
    budget: Budget,
    area: BudgetArea,
    title: str,
    description: str,
    estimated_cost: Decimal,
    location: str = "",
    on_behalf_of: Organisation | None = None,
) -> Proposal:
    """Anyone logged in proposes a project, for themselves or one of their organisations."""
    require(actor, "commissioning.submit_proposal", budget, _("Log in to propose a project."))
    if _stage(budget.pk) != Budget.Stage.PROPOSALS:
        raise ValidationError(_("This budget is not taking proposals now."))
    if area.budget_id != budget.pk:
        raise ValidationError(_("That area heading belongs to another budget."))
    if on_behalf_of is not None and not on_behalf_of.memberships.filter(person=actor).exists():
        raise PermissionDenied(_("You can only propose on behalf of your own organisations."))
    with transaction.atomic():
        Budget.objects.select_for_update().get(pk=budget.pk)
        proposal = Proposal(
            budget=budget,
            area=area,
            code=str(budget.proposals.count() + 1),
            title=title,
            description=description,
            location=location,
            estimated_cost=estimated_cost,
            submitted_by=actor,
            on_behalf_of=on_behalf_of,
        )
        proposal.full_clean()
        proposal.save()
        audit_record(
            actor=actor,
            action="proposal.submit",
            target=proposal,
            payload={"budget": budget.pk, "cost": estimated_cost},
        )
    return proposal


def proposal_review(
    *, actor: Person, proposal: Proposal, feasible: bool, cost: Decimal, reason: str
) -> Review:
    """Record a professional's public reason; the latest review decides the proposal's status."""
    require(
        actor,
        "commissioning.review_proposal",
        proposal.budget,
        _("Only professionals taking part in the initiative review proposals."),
    )
    if _stage(proposal.budget_id) not in (Budget.Stage.PROPOSALS, Budget.Stage.REVIEW):
        raise ValidationError(_("Reviews are closed once voting opens."))
    if not reason.strip():
        raise ValidationError(_("A review needs a public reason."))
    check_money(cost, _("The reviewed cost"))
    with transaction.atomic():
        review = Review.objects.create(
            proposal=proposal, reviewer=actor, feasible=feasible, cost=cost, reason=reason.strip()
        )
        proposal.status = Proposal.Status.FEASIBLE if feasible else Proposal.Status.INFEASIBLE
        proposal.reviewed_cost = cost
        proposal.save(update_fields=["status", "reviewed_cost"])
        audit_record(
            actor=actor,
            action="proposal.review",
            target=proposal,
            payload={"feasible": feasible, "cost": cost, "review": review.pk},
        )
    return review


def census_upload(*, actor: Person, budget: Budget, data: bytes) -> int:
    """Replace the census list from a CSV with a column ``email`` (and optionally ``area``).

    Every bad row is reported with its line number, and then nothing is imported.
    """
    _require_manager(actor, budget)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_("The file is not UTF-8 text.")) from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValidationError(
            _("Line %(line)d: a NUL character: this is not a text file.") % {"line": line}
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        rows, problems = _census_rows(reader)
    except csv.Error as error:
        raise ValidationError(
            _("Line %(line)d: the file cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num + 1, "error": error}
        ) from None
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise ValidationError(_("The file has no voters."))
    with transaction.atomic():
        budget.census.all().delete()
        CensusEntry.objects.bulk_create(
            CensusEntry(budget=budget, email=email, area=area) for email, area in rows
        )
        audit_record(
            actor=actor, action="budget.census_upload", target=budget, payload={"voters": len(rows)}
        )
    return len(rows)


#: The longest census a file may hold, and the columns' widths.
CENSUS_MAX_ROWS = 200_000
EMAIL_LENGTH = 254
AREA_LENGTH = 120


def _census_rows(reader: csv.DictReader) -> tuple[list[tuple[str, str]], list[str]]:
    """The census rows (email, area) of a CSV file, or the problems of its lines."""
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "email" not in header:
        raise ValidationError(_("Line 1: the header must have a column named “email”."))
    reader.fieldnames = header
    problems: list[str] = []
    seen: dict[str, int] = {}
    rows: list[tuple[str, str]] = []
    for row in reader:
        line = reader.line_num
        if len(rows) >= CENSUS_MAX_ROWS:
            problems.append(
                _("Line %(line)d: a census may hold %(max)d voters at most.")
                % {"line": line, "max": CENSUS_MAX_ROWS}
            )
            break
        email = (row.get("email") or "").strip().lower()
        area = (row.get("area") or "").strip()
        try:
            if len(email) > EMAIL_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problems.append(
                _("Line %(line)d: “%(value)s” is not an email address.")
                % {"line": line, "value": email[:80]}
            )
            continue
        if len(area) > AREA_LENGTH:
            problems.append(
                _("Line %(line)d: the area is longer than %(max)d characters.")
                % {"line": line, "max": AREA_LENGTH}
            )
            continue
        if email in seen:
            problems.append(
                _("Line %(line)d: %(email)s is already on line %(first)d.")
                % {
                    "line": line,
                    "email": email,
                    "first": seen[email],
                }
            )
            continue
        seen[email] = line
        rows.append((email, area))
    return rows, problems


def voter_eligibility_problem(budget: Budget, person: Person) -> str | None:
    """Why this person may not vote in this budget, or None when they may."""
    if not person.is_authenticated:
        return _("Log in to vote.")
    if not person.email_confirmed:
        return _("Confirm your email address before voting: we sent you a link.")
    if budget.eligibility == Budget.Eligibility.CENSUS:
        if not budget.census.filter(email__iexact=person.email).exists():
            return _("Your email address is not on this budget's list of voters.")
    elif budget.eligibility == Budget.Eligibility.RESIDENTS:
        allowed = {budget.initiative.area.lower(), *(a.name.lower() for a in budget.areas.all())}
        if person.area.strip().lower() not in allowed:
            return _(
                "This vote is for residents of %(area)s. Set your area in your profile if you "
                "live there."
            ) % {"area": budget.initiative.area}
    return None


def _require_voting_open(budget: Budget) -> None:
    if _stage(budget.pk) != Budget.Stage.VOTING:
        raise ValidationError(_("Voting is not open for this budget."))


@dataclass(frozen=True)
class Choices:
    """A voter's choices: project codes approved, or points, or ranks, per the ballot type."""

    approvals: frozenset[str] = frozenset()
    points: tuple[tuple[str, int], ...] = ()
    ranks: tuple[tuple[str, int], ...] = ()

    def codes(self) -> set[str]:
        return set(self.approvals) | {c for c, _ in self.points} | {c for c, _ in self.ranks}


def ballot_problems(budget: Budget, choices: Choices) -> list[str]:
    """Check the choices against the ballot rules, separately for every area heading."""
    feasible = {
        p.code: p
        for p in budget.proposals.filter(status=Proposal.Status.FEASIBLE).select_related("area")
    }
    unknown = choices.codes() - set(feasible)
    if unknown:
        return [
            _("Some chosen projects are not on the ballot: %(codes)s.")
            % {
                "codes": ", ".join(sorted(unknown)),
            }
        ]
    if not choices.codes():
        return [_("Choose at least one project.")]
    problems: list[str] = []
    points, ranks = dict(choices.points), dict(choices.ranks)
    for area in budget.areas.all():
        costs = {c: p.cost for c, p in feasible.items() if p.area_id == area.pk}
        mine = choices.codes() & set(costs)
        if not mine:
            continue
        check = check_ballot(
            BallotRules(
                budget.ballot_type,
                area.amount,
                budget.min_projects,
                budget.max_projects,
                budget.max_points,
            ),
            costs,
            approvals=set(choices.approvals) & mine,
            points={c: v for c, v in points.items() if c in mine},
            ranks={c: v for c, v in ranks.items() if c in mine},
        )
        prefix = f"{area.name}: " if budget.areas.count() > 1 else ""
        problems.extend(prefix + problem for problem in check.problems)
    return problems


def _write_choices(ballot: Ballot, budget: Budget, choices: Choices) -> None:
    ids = dict(budget.proposals.filter(code__in=choices.codes()).values_list("code", "id"))
    ballot.choices.all().delete()
    rows = [BallotChoice(ballot=ballot, proposal_id=ids[c]) for c in sorted(choices.approvals)]
    rows += [BallotChoice(ballot=ballot, proposal_id=ids[c], points=v) for c, v in choices.points]
    rows += [BallotChoice(ballot=ballot, proposal_id=ids[c], rank=r) for c, r in choices.ranks]
    BallotChoice.objects.bulk_create(rows)


def ballot_cast(
    *, voter: Person, budget: Budget, choices: Choices, age_confirmed: bool = False
) -> Ballot:
    """Cast or change this person's ballot. One ballot per person per budget: the database
    refuses a second one, so two simultaneous submissions end as one ballot, not two."""
    _require_voting_open(budget)
    problem = voter_eligibility_problem(budget, voter)
    if problem:
        raise PermissionDenied(problem)
    if budget.minimum_age and not age_confirmed:
        raise ValidationError(
            _("Confirm that you are at least %(age)d years old.") % {"age": budget.minimum_age}
        )
    problems = ballot_problems(budget, choices)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                _require_voting_open(budget)
                ballot = (
                    Ballot.objects.select_for_update().filter(budget=budget, voter=voter).first()
                )
                changed = ballot is not None
                if ballot is None:
                    ballot = Ballot.objects.create(
                        budget=budget,
                        voter=voter,
                        area=voter.area,
                        channel=Ballot.Channel.ONLINE,
                        cast_at=now,
                        cast_on=timezone.localdate(now),
                        updated_at=now,
                    )
                else:
                    ballot.updated_at = now
                    ballot.save(update_fields=["updated_at"])
                _write_choices(ballot, budget, choices)
                audit_record(
                    actor=voter,
                    action="ballot.change" if changed else "ballot.cast",
                    target=ballot,
                    payload={"budget": budget.pk, "channel": "online"},
                )
                return ballot
        except IntegrityError:
            # Another request created this person's ballot between our read and our insert:
            # go round once more and change that ballot instead.
            continue
    raise ValidationError(_("Your ballot could not be saved; please try again."))


def paper_ballot_enter(
    *, official: Person, budget: Budget, choices: Choices, voter_area: str = ""
) -> Ballot:
    """An official types in a paper ballot; it counts once a second official confirms it."""
    _require_official(official, budget)
    stage = _stage(budget.pk)
    if stage not in (Budget.Stage.VOTING, Budget.Stage.CLOSED):
        raise ValidationError(_("Paper ballots are entered while voting is open or just closed."))
    if stage == Budget.Stage.CLOSED and budget.results.exists():
        raise ValidationError(_("The result is computed: no more paper ballots."))
    problems = ballot_problems(budget, choices)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    with transaction.atomic():
        ballot = Ballot.objects.create(
            budget=budget,
            area=voter_area,
            channel=Ballot.Channel.PAPER,
            entered_by=official,
            counted=False,
            cast_at=now,
            cast_on=timezone.localdate(now),
            updated_at=now,
        )
        _write_choices(ballot, budget, choices)
        audit_record(
            actor=official,
            action="ballot.paper_enter",
            target=ballot,
            payload={"budget": budget.pk},
        )
    return ballot


def paper_ballot_confirm(*, official: Person, ballot: Ballot) -> Ballot:
    """A second official confirms a typed-in paper ballot, which then counts."""
    _require_official(official, ballot.budget)
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.channel != Ballot.Channel.PAPER or ballot.counted:
            raise ValidationError(_("This ballot does not wait for confirmation."))
        if ballot.entered_by_id == official.pk:
            raise PermissionDenied(_("A second official must confirm: not the one who typed it."))
        if ballot.budget.results.exists():
            raise ValidationError(_("The result is computed: no more paper ballots."))
        ballot.counted = True
        ballot.confirmed_by = official
        ballot.save(update_fields=["counted", "confirmed_by"])
        audit_record(
            actor=official,
            action="ballot.paper_confirm",
            target=ballot,
            payload={"budget": ballot.budget_id},
        )
    return ballot


def budget_tally(*, actor: Person, budget: Budget) -> list[Result]:
    """Compute the result of every area heading with the rule announced before voting."""
    from .tally import tally_area

    _require_manager(actor, budget)
    if _stage(budget.pk) != Budget.Stage.CLOSED:
        raise ValidationError(_("Close the vote before computing the result."))
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        budget.results.all().delete()
        results = []
        for area in budget.areas.all():
            outcome = tally_area(budget, area)
            result = Result.objects.create(
                budget=budget,
                area=area,
                rule=outcome.rule_label,
                total_cost=outcome.total_cost,
                ballots_counted=outcome.ballots_counted,
                explanation=outcome.explanation,
                computed_at=timezone.now(),
                seconds=outcome.seconds,
            )
            result.selected.set(budget.proposals.filter(code__in=outcome.selected))
            results.append(result)
        audit_record(
            actor=actor,
            action="budget.tally",
            target=budget,
            payload={
                "rule": budget.rule,
                "utility": budget.utility,
                "completion": budget.completion,
                "funded": sorted(code for r in results for code in r.explanation["selected"]),
            },
        )
        # Once the result is committed, a signed checkpoint fixes the log as it stands, so the
        # tally's record cannot later be removed or rewritten unnoticed. A failure to sign is
        # logged and does not undo the tally.
        transaction.on_commit(_checkpoint_after_tally, robust=True)
    return results


def _checkpoint_after_tally() -> None:
    audit_checkpoint(reason="budget.tally")


def milestone_add(
    *,
    actor: Person,
    proposal: Proposal,
    title: str,
    note: str = "",
    due_on=None,
    done_on=None,
    progress: int | None = None,
    photo=None,
    photo_description: str = "",
) -> Milestone:
    """Report the delivery of a funded project, so voters see what became of their vote."""
    _require_manager(actor, proposal.budget)
    if _stage(proposal.budget_id) != Budget.Stage.PUBLISHED:
        raise ValidationError(_("Delivery is tracked once the result is published."))
    if not proposal.budget.results.filter(selected=proposal).exists():
        raise ValidationError(_("Only funded projects have delivery milestones."))
    if photo and not photo_description.strip():
        raise ValidationError(_("Describe the photo for people who cannot see it."))
    stored_photo = clean_image(photo, field="photo") if photo else None
    with transaction.atomic():
        milestone = Milestone(
            proposal=proposal,
            title=title,
            note=note,
            due_on=due_on,
            done_on=done_on,
            photo_description=photo_description,
        )
        if stored_photo:
            milestone.photo = stored_photo
        milestone.full_clean()
        milestone.save()
        if progress is not None:
            try:
                progress = int(progress)
            except (TypeError, ValueError, InvalidOperation) as error:
                raise ValidationError(_("Progress is a whole number of percent.")) from error
            if progress not in PROGRESS_PERCENT:
                raise ValidationError(_("Progress is between 0 and 100 percent."))
            proposal.progress = progress
            proposal.save(update_fields=["progress"])
        audit_record(
            actor=actor,
            action="project.milestone",
            target=proposal,
            payload={"milestone": milestone.pk, "progress": proposal.progress},
        )
    return milestone

"""The ballot rules of each ballot type, checked the same way online, on paper and in tests.

Kept free of the database: it takes the chosen projects and their costs and returns the problems
a voter must fix, in words a voter understands.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class BallotRules:
    ballot_type: str
    limit: Decimal
    min_projects: int = 0
    max_projects: int | None = None
    max_points: int | None = None


@dataclass
class BallotCheck:
    problems: list[str] = field(default_factory=list)
    total_cost: Decimal = Decimal(0)
    remaining: Decimal = Decimal(0)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_ballot(
    rules: BallotRules,
    costs: dict[str, Decimal],
    approvals: set[str] | None = None,
    points: dict[str, int] | None = None,
    ranks: dict[str, int] | None = None,
) -> BallotCheck:
    """Check one voter's choices for one area heading.

    ``approvals`` for approval-like ballots, ``points`` for cumulative ballots, ``ranks``
    (1 = first) for ranking ballots. ``costs`` holds every project on this ballot.
    """
    chosen = set(approvals or ()) | set(points or ()) | set(ranks or ())
    check = BallotCheck()
    unknown = chosen - set(costs)
    if unknown:
        check.problems.append(_("Some chosen projects are not on this ballot."))
        return check
    check.total_cost = sum((costs[code] for code in chosen), Decimal(0))
    check.remaining = rules.limit - check.total_cost
    count = len(chosen)
    if not chosen:
        check.problems.append(_("Choose at least one project."))
    if rules.ballot_type in ("approval", "knapsack", "approval_count") and check.remaining < 0:
        check.problems.append(
            _("Your choices cost %(total)s, more than the %(limit)s available.")
            % {"total": f"{check.total_cost:,.2f}", "limit": f"{rules.limit:,.2f}"}
        )
    if count and count < rules.min_projects:
        check.problems.append(
            ngettext(
                "Choose at least %(n)d project.",
                "Choose at least %(n)d projects.",
                rules.min_projects,
            )
            % {"n": rules.min_projects}
        )
    if rules.max_projects is not None and count > rules.max_projects:
        check.problems.append(
            ngettext(
                "Choose at most %(n)d project.",
                "Choose at most %(n)d projects.",
                rules.max_projects,
            )
            % {"n": rules.max_projects}
        )
    if rules.ballot_type == "cumulative":
        given = points or {}
        if any(value < 1 for value in given.values()):
            check.problems.append(_("Points must be whole numbers of at least 1."))
        if rules.max_points is not None and sum(given.values()) > rules.max_points:
            check.problems.append(
                _("You gave %(given)d points; you have %(max)d to give.")
                % {"given": sum(given.values()), "max": rules.max_points}
            )
    if rules.ballot_type == "ranking":
        given = sorted((ranks or {}).values())
        if given != list(range(1, len(given) + 1)):
            check.problems.append(
                _("Ranks must be 1, 2, 3… with no gaps and no project ranked twice.")
            )
    return check

"""Computing a budget's result: from counted ballots in the database to the fair rule in
``coproduce.methods.pb`` and back to an explanation residents can read.

The explanation is stored as plain data (numbers and reason codes), so it is translated when it
is shown, in the reader's language.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coproduce.methods.pb import rules

from .models import Budget, BudgetArea
from .pabulib_io import area_election

CENTS = Decimal("0.01")


def money(value: Fraction | int) -> str:
    """An exact amount rounded to cents, as a string for JSON."""
    fraction = Fraction(value)
    return str((Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(CENTS))


@dataclass(frozen=True)
class AreaOutcome:
    selected: list[str]
    total_cost: Decimal
    ballots_counted: int
    rule_label: str
    explanation: dict
    seconds: float


def rule_label(budget: Budget) -> str:
    if budget.rule == Budget.Rule.GREEDY:
        return str(Budget.Rule.GREEDY.label)
    return _("%(rule)s (utility: %(utility)s), %(completion)s") % {
        "rule": Budget.Rule.MES.label,
        "utility": Budget.Utility(budget.utility).label.lower(),
        "completion": Budget.Completion(budget.completion).label.lower(),
    }


def tally_area(budget: Budget, area: BudgetArea) -> AreaOutcome:
    election = area_election(budget, area)
    is_mes = budget.rule == Budget.Rule.MES
    projects = {p.project_id: p for p in election.projects}
    supporters: dict[str, int] = defaultdict(int)
    for ballot in election.ballots:
        for code in ballot.projects:
            supporters[code] += 1
    explanation: dict = {
        "rule": budget.rule,
        "voters_count": len(election.ballots),
        "projects": {code: {"supporters": supporters.get(code, 0)} for code in projects},
    }
    if not election.ballots or not projects:
        explanation.update(selected=[], order=[], mes_order=[], share="0.00")
        return AreaOutcome([], Decimal(0), 0, rule_label(budget), explanation, 0.0)
    try:
        outcome = rules.tally(
            election,
            rule=budget.rule,
            utility=budget.utility,
            completion=budget.completion if is_mes else "none",
            details=is_mes,
        )
    except ValueError as error:
        raise ValidationError(
            _("The result cannot be computed with these rules: %(error)s") % {"error": error}
        ) from error
    selected = list(outcome.selected)
    explanation.update(
        selected=sorted(selected),
        order=selected,
        exhaustive=outcome.exhaustive,
        add1_increments=outcome.add1_increments,
    )
    chosen = set(selected)
    if is_mes and outcome.details is not None:
        _explain_mes(budget, election, outcome.details, explanation, chosen)
    else:
        for code, info in explanation["projects"].items():
            info["stage"] = "greedy" if code in chosen else ""
            info["reason"] = (
                "funded"
                if code in chosen
                else "no_support"
                if not supporters.get(code)
                else "too_expensive"
                if projects[code].cost > election.budget
                else "did_not_fit"
            )
    total = sum((Fraction(projects[c].cost) for c in selected), Fraction(0))
    return AreaOutcome(
        selected=selected,
        total_cost=Decimal(money(total)),
        ballots_counted=len(election.ballots),
        rule_label=rule_label(budget),
        explanation=explanation,
        seconds=outcome.seconds,
    )


def _explain_mes(budget: Budget, election, details, explanation: dict, chosen: set[str]) -> None:
    """Record each voter's share, what each funded project cost its supporters, and how much
    money the supporters of each project left out still had."""
    share = Fraction(details.budget_per_voter)
    explanation["share"] = money(share)
    explanation["mes_order"] = [f.project_id for f in details.funded]
    explanation["completed"] = list(details.completed)
    spent = details.spent()
    left_by_project: dict[str, Fraction] = defaultdict(Fraction)
    for ballot in election.ballots:
        left = share - spent.get(ballot.voter_id, Fraction(0))
        for code in ballot.projects:
            left_by_project[code] += left
    funded = {f.project_id: f for f in details.funded}
    for code, info in explanation["projects"].items():
        project_cost = next(p.cost for p in election.projects if p.project_id == code)
        if code in funded:
            f = funded[code]
            info.update(
                stage="mes",
                reason="funded",
                rho=float(f.rho),
                payment=money(f.payment) if f.payment is not None else None,
                full_payers=f.full_payers,
                partial_payers=f.partial_payers,
            )
        elif code in chosen:
            info.update(stage="completion", reason="completion")
        else:
            info["stage"] = ""
            info["money_left"] = money(left_by_project.get(code, Fraction(0)))
            if project_cost > election.budget:
                info["reason"] = "too_expensive"
            elif not info["supporters"]:
                info["reason"] = "no_support"
            else:
                info["reason"] = "supporters_short"


def voter_share_spending(explanation: dict, choices: dict[str, int]) -> dict | None:
    """How one voter's equal share was spent: they paid for each funded project they supported,
    in funding order, ``min(what they had left, rho * utility)``. ``choices`` maps the codes
    they supported to their points (1 for approval ballots)."""
    if explanation.get("rule") != Budget.Rule.MES or "share" not in explanation:
        return None
    left = Decimal(explanation["share"])
    payments = []
    for code in explanation.get("mes_order", []):
        if code not in choices:
            continue
        info = explanation["projects"][code]
        if info.get("payment") is not None:
            due = Decimal(info["payment"])
        else:
            due = Decimal(str(info["rho"])) * Decimal(choices[code])
        paid = min(left, due).quantize(CENTS)
        left -= paid
        payments.append({"code": code, "amount": paid})
    return {"payments": payments, "left": max(left, Decimal(0)).quantize(CENTS)}


def why_text(info: dict, currency: str) -> str:
    """One sentence on why a project was or was not funded, in the reader's language."""
    reason = info.get("reason", "")
    supporters = info.get("supporters", 0)
    if reason == "funded" and info.get("stage") == "mes":
        if info.get("payment") is not None:
            return (
                _(
                    "Its %(n)d supporters shared the cost: %(payment)s %(currency)s each, or all "
                    "they had left for %(partial)d of them."
                )
                % {
                    "n": supporters,
                    "payment": info["payment"],
                    "currency": currency,
                    "partial": info.get("partial_payers", 0),
                }
                if info.get("partial_payers")
                else _("Its %(n)d supporters shared the cost: %(payment)s %(currency)s each.")
                % {"n": supporters, "payment": info["payment"], "currency": currency}
            )
        return _("Its %(n)d supporters shared the cost in proportion to their points.") % {
            "n": supporters
        }
    if reason == "funded":
        return _("Among the most supported projects that still fitted in the budget.")
    if reason == "completion":
        return _("Funded with the money left once equal shares were spent (completion).")
    if reason == "supporters_short":
        return _(
            "Its %(n)d supporters had only %(left)s %(currency)s left of their shares after "
            "paying for other projects they supported: not enough for its cost."
        ) % {"n": supporters, "left": info.get("money_left", "0"), "currency": currency}
    if reason == "too_expensive":
        return _("It costs more than all the money available.")
    if reason == "no_support":
        return _("Nobody voted for it.")
    if reason == "did_not_fit":
        return _("When its turn came, it no longer fitted in the money left.")
    return ""

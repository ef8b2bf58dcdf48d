"""Who may do what with a participatory budget."""

import rules

from coproduce.initiatives.models import Participation
from coproduce.initiatives.rules import is_administrator, is_co_lead
from coproduce.people.selectors import person_is_professional


def _initiative(budget_or_proposal):
    budget = getattr(budget_or_proposal, "budget", budget_or_proposal)
    return budget.initiative if budget is not None else None


@rules.predicate
def leads_budget(person, budget) -> bool:
    if budget is None or not getattr(person, "is_authenticated", False):
        return False
    return Participation.objects.filter(
        person=person, initiative=_initiative(budget), role=Participation.Role.CO_LEAD
    ).exists()


@rules.predicate
def is_professional_in_budget(person, budget) -> bool:
    """A professional taking part in the initiative (as a professional or a co-lead)."""
    if budget is None or not getattr(person, "is_authenticated", False):
        return False
    takes_part = Participation.objects.filter(
        person=person,
        initiative=_initiative(budget),
        role__in=[Participation.Role.PROFESSIONAL, Participation.Role.CO_LEAD],
    ).exists()
    return takes_part and person_is_professional(person)


# About an initiative: who opens (or imports) a budget in it.
rules.add_perm("commissioning.create_budget", is_co_lead | is_administrator)
# About a budget.
rules.add_perm("commissioning.manage_budget", leads_budget | is_administrator)
rules.add_perm("commissioning.submit_proposal", rules.is_authenticated)
rules.add_perm(
    "commissioning.review_proposal", is_professional_in_budget | leads_budget | is_administrator
)
rules.add_perm(
    "commissioning.enter_paper_ballot", is_professional_in_budget | leads_budget | is_administrator
)

"""Who may do what in co-delivery: small named predicates, one place for the whole app.

Most permissions are asked about an initiative; a few about one object (a shift, a contribution,
a timebank exchange or account), because the answer depends on who is on that object.
"""

import rules

from coproduce.initiatives.models import Participation
from coproduce.initiatives.rules import is_administrator, is_co_lead, is_participant


def _authenticated(person) -> bool:
    return bool(getattr(person, "is_authenticated", False))


@rules.predicate
def is_professional(person, initiative) -> bool:
    """Takes part in the initiative as a professional ("regular producer")."""
    if initiative is None or not _authenticated(person):
        return False
    return Participation.objects.filter(
        person=person, initiative=initiative, role=Participation.Role.PROFESSIONAL
    ).exists()


@rules.predicate
def is_shift_professional(person, shift) -> bool:
    return shift is not None and _authenticated(person) and shift.professional_id == person.pk


@rules.predicate
def leads_shift_initiative(person, shift) -> bool:
    return shift is not None and is_co_lead(person, shift.task.initiative)


@rules.predicate
def is_contributor(person, contribution) -> bool:
    return (
        contribution is not None and _authenticated(person) and contribution.person_id == person.pk
    )


@rules.predicate
def leads_contribution_initiative(person, contribution) -> bool:
    return contribution is not None and is_co_lead(person, contribution.initiative)


@rules.predicate
def supervised_contribution_shift(person, contribution) -> bool:
    if contribution is None or contribution.shift_id is None or not _authenticated(person):
        return False
    return contribution.shift.professional_id == person.pk


@rules.predicate
def is_account_holder(person, account) -> bool:
    return account is not None and _authenticated(person) and account.person_id == person.pk


@rules.predicate
def leads_account_initiative(person, account) -> bool:
    return account is not None and is_co_lead(person, account.timebank.initiative)


@rules.predicate
def receives_exchange(person, exchange) -> bool:
    return (
        exchange is not None and _authenticated(person) and exchange.receiver.person_id == person.pk
    )


@rules.predicate
def gives_exchange(person, exchange) -> bool:
    return exchange is not None and _authenticated(person) and exchange.giver.person_id == person.pk


@rules.predicate
def leads_exchange_initiative(person, exchange) -> bool:
    return exchange is not None and is_co_lead(person, exchange.timebank.initiative)


# About an initiative.
rules.add_perm("delivery.manage_tasks", is_co_lead | is_administrator)
rules.add_perm("delivery.confirm_requirements", is_co_lead | is_professional | is_administrator)
rules.add_perm("delivery.view_ledger", is_co_lead | is_administrator)
rules.add_perm("delivery.record_contribution", rules.is_authenticated)
rules.add_perm("delivery.record_for_others", is_co_lead | is_administrator)
rules.add_perm("delivery.confirm_all_contributions", is_co_lead | is_administrator)
rules.add_perm("delivery.import_contributions", is_co_lead | is_administrator)
rules.add_perm("delivery.set_rates", is_co_lead | is_administrator)
rules.add_perm("delivery.manage_timebank", is_co_lead | is_administrator)
rules.add_perm("delivery.handle_service_requests", is_participant | is_administrator)
rules.add_perm("delivery.manage_request_categories", is_co_lead | is_administrator)

# About a shift: see who is coming and confirm their hours.
rules.add_perm(
    "delivery.manage_shift", is_shift_professional | leads_shift_initiative | is_administrator
)

# About a contribution. Two parties: nobody confirms, disputes or corrects their own entry.
_confirmer = (
    leads_contribution_initiative | supervised_contribution_shift | is_administrator
) & ~is_contributor
rules.add_perm("delivery.confirm_contribution", _confirmer)
rules.add_perm("delivery.correct_contribution", _confirmer)
rules.add_perm("delivery.withdraw_contribution", is_contributor)
rules.add_perm(
    "delivery.view_contribution",
    is_contributor
    | leads_contribution_initiative
    | supervised_contribution_shift
    | is_administrator,
)

# About the timebank.
rules.add_perm(
    "delivery.view_account", is_account_holder | leads_account_initiative | is_administrator
)
rules.add_perm(
    "delivery.complete_exchange",
    receives_exchange | leads_exchange_initiative | is_administrator,
)
rules.add_perm(
    "delivery.cancel_exchange",
    receives_exchange | gives_exchange | leads_exchange_initiative | is_administrator,
)

"""Who may do what in a timebank: small named predicates, one place for the whole app."""

import rules

from coproduce.initiatives.rules import is_administrator, is_co_lead
from coproduce.people.rules import is_signed_in


@rules.predicate
def is_account_holder(person, account) -> bool:
    return account is not None and is_signed_in(person) and account.person_id == person.pk


@rules.predicate
def leads_account_initiative(person, account) -> bool:
    return account is not None and is_co_lead(person, account.timebank.initiative)


@rules.predicate
def receives_exchange(person, exchange) -> bool:
    return (
        exchange is not None and is_signed_in(person) and exchange.receiver.person_id == person.pk
    )


@rules.predicate
def gives_exchange(person, exchange) -> bool:
    return exchange is not None and is_signed_in(person) and exchange.giver.person_id == person.pk


@rules.predicate
def leads_exchange_initiative(person, exchange) -> bool:
    return exchange is not None and is_co_lead(person, exchange.timebank.initiative)


# About an initiative.
rules.add_perm("timebank.take_part", rules.is_authenticated)
rules.add_perm("timebank.manage_timebank", is_co_lead | is_administrator)

# About the timebank.
rules.add_perm(
    "timebank.view_account", is_account_holder | leads_account_initiative | is_administrator
)
rules.add_perm(
    "timebank.complete_exchange",
    receives_exchange | leads_exchange_initiative | is_administrator,
)
rules.add_perm(
    "timebank.cancel_exchange",
    receives_exchange | gives_exchange | leads_exchange_initiative | is_administrator,
)

"""Who may do what with the contributions ledger: small named predicates, one place.

Two parties: nobody confirms, disputes or corrects their own entry; the co-leads of the
initiative, or the professional who supervised the shift an entry comes from, do.
"""

import rules

from coproduce.initiatives.rules import is_administrator, is_co_lead
from coproduce.people.rules import has_verified_email, is_signed_in


@rules.predicate
def is_contributor(person, contribution) -> bool:
    return contribution is not None and is_signed_in(person) and contribution.person_id == person.pk


@rules.predicate
def leads_contribution_initiative(person, contribution) -> bool:
    return contribution is not None and is_co_lead(person, contribution.initiative)


@rules.predicate
def supervises_contribution(person, contribution) -> bool:
    """The professional in charge of the activity the entry is for (a shift's professional)."""
    if contribution is None or not is_signed_in(person):
        return False
    return contribution.supervised_by_id == person.pk


# About an initiative.
rules.add_perm("ledger.view_ledger", is_co_lead | is_administrator)
# Recording one's own hours counts, so it waits for a confirmed address (ADR 0006).
rules.add_perm("ledger.record_contribution", has_verified_email)
rules.add_perm("ledger.record_for_others", is_co_lead | is_administrator)
rules.add_perm("ledger.confirm_all_contributions", is_co_lead | is_administrator)
rules.add_perm("ledger.import_contributions", is_co_lead | is_administrator)
rules.add_perm("ledger.set_rates", is_co_lead | is_administrator)

# About a contribution. Two parties: nobody confirms, disputes or corrects their own entry.
_confirmer = (
    leads_contribution_initiative | supervises_contribution | is_administrator
) & ~is_contributor
rules.add_perm("ledger.confirm_contribution", _confirmer)
rules.add_perm("ledger.correct_contribution", _confirmer)
rules.add_perm("ledger.withdraw_contribution", is_contributor)
rules.add_perm(
    "ledger.view_contribution",
    is_contributor | leads_contribution_initiative | supervises_contribution | is_administrator,
)

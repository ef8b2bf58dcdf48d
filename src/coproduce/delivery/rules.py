"""Who may do what in co-delivery: small named predicates, one place for the whole app.

Most permissions are asked about an initiative; one about a shift, because the answer depends
on who supervises that shift.
"""

import rules

from coproduce.initiatives.rules import is_administrator, is_co_lead, is_professional
from coproduce.people.rules import is_signed_in


@rules.predicate
def is_shift_professional(person, shift) -> bool:
    return shift is not None and is_signed_in(person) and shift.professional_id == person.pk


@rules.predicate
def leads_shift_initiative(person, shift) -> bool:
    return shift is not None and is_co_lead(person, shift.task.initiative)


# About an initiative.
rules.add_perm("delivery.manage_tasks", is_co_lead | is_administrator)
rules.add_perm("delivery.confirm_requirements", is_co_lead | is_professional | is_administrator)

# About a person's own shifts and calendar.
rules.add_perm("delivery.sign_up", rules.is_authenticated)
rules.add_perm("delivery.own_calendar", rules.is_authenticated)

# About a shift: see who is coming and confirm their hours.
rules.add_perm(
    "delivery.manage_shift", is_shift_professional | leads_shift_initiative | is_administrator
)

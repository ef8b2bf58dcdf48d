"""Who may do what with an initiative: small named predicates, one place for the whole app."""

import rules

from .models import Participation


@rules.predicate
def is_co_lead(person, initiative) -> bool:
    if initiative is None or not getattr(person, "is_authenticated", False):
        return False
    return Participation.objects.filter(
        person=person, initiative=initiative, role=Participation.Role.CO_LEAD
    ).exists()


@rules.predicate
def is_participant(person, initiative) -> bool:
    if initiative is None or not getattr(person, "is_authenticated", False):
        return False
    return Participation.objects.filter(person=person, initiative=initiative).exists()


@rules.predicate
def is_professional(person, initiative) -> bool:
    """Takes part in the initiative as a professional ("regular producer")."""
    if initiative is None or not getattr(person, "is_authenticated", False):
        return False
    return Participation.objects.filter(
        person=person, initiative=initiative, role=Participation.Role.PROFESSIONAL
    ).exists()


is_administrator = rules.is_superuser

rules.add_perm("initiatives.edit_initiative", is_co_lead | is_administrator)
rules.add_perm("initiatives.invite_co_lead", is_co_lead | is_administrator)
rules.add_perm("initiatives.join_initiative", rules.is_authenticated & ~is_participant)
rules.add_perm("initiatives.leave_initiative", is_participant)

"""Who may do what with an initiative: small named predicates, one place for the whole app."""

import rules
from django.utils.translation import gettext_lazy

from coproduce.people.rules import has_verified_email, is_administrator, is_signed_in

from .models import Participation

#: The refusal for what only co-leads (and administrators) may do.
CO_LEADS_ONLY = gettext_lazy("Only the initiative's co-leads and administrators may do this.")

__all__ = ["is_administrator", "is_co_lead", "is_invitee", "is_participant", "is_professional"]


@rules.predicate
def is_co_lead(person, initiative) -> bool:
    if initiative is None or not is_signed_in(person):
        return False
    return Participation.objects.filter(
        person=person, initiative=initiative, role=Participation.Role.CO_LEAD
    ).exists()


@rules.predicate
def is_participant(person, initiative) -> bool:
    if initiative is None or not is_signed_in(person):
        return False
    return Participation.objects.filter(person=person, initiative=initiative).exists()


@rules.predicate
def is_professional(person, initiative) -> bool:
    """Takes part in the initiative as a professional ("regular producer")."""
    if initiative is None or not is_signed_in(person):
        return False
    return Participation.objects.filter(
        person=person, initiative=initiative, role=Participation.Role.PROFESSIONAL
    ).exists()


@rules.predicate
def is_invitee(person, invitation) -> bool:
    """The invitation was sent to this person's email address."""
    if invitation is None or not is_signed_in(person):
        return False
    return invitation.email.lower() == person.email.lower()


@rules.predicate
def is_public(person, initiative) -> bool:
    """Past its draft: drafts are seen by their participants and administrators only."""
    return initiative is not None and initiative.status != initiative.Status.DRAFT


# Public services and initiatives are registered by administrators (there is no page for it yet).
rules.add_perm("initiatives.create_service", is_administrator)
rules.add_perm("initiatives.create_initiative", is_administrator)
rules.add_perm("initiatives.edit_initiative", is_co_lead | is_administrator)
rules.add_perm("initiatives.invite_co_lead", is_co_lead | is_administrator)
# The address it was sent to, confirmed: signing up with someone's address is not enough.
rules.add_perm("initiatives.answer_invitation", is_invitee & has_verified_email)
rules.add_perm("initiatives.join_initiative", rules.is_authenticated & is_public & ~is_participant)
rules.add_perm("initiatives.leave_initiative", is_participant)
# Adding or removing someone else. Co-leads share the lead by invitation, which the new co-lead
# accepts; only an administrator appoints or removes a co-lead directly.
rules.add_perm("initiatives.manage_participants", is_co_lead | is_administrator)
rules.add_perm("initiatives.appoint_co_lead", is_administrator)

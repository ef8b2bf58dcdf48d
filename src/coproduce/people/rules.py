"""Who may change people, organisations and memberships: small named predicates."""

import rules

from .models import Membership


def is_signed_in(person) -> bool:
    """A real account, not the anonymous visitor (for use inside predicates)."""
    return bool(getattr(person, "is_authenticated", False))


@rules.predicate
def is_self(actor, person) -> bool:
    return person is not None and is_signed_in(actor) and actor.pk == person.pk


@rules.predicate
def manages_organisation(actor, organisation) -> bool:
    """Holds a manager membership of the organisation."""
    if organisation is None or not is_signed_in(actor):
        return False
    return Membership.objects.filter(
        person=actor, organisation=organisation, role=Membership.Role.MANAGER
    ).exists()


@rules.predicate
def has_verified_email(person) -> bool:
    """Confirmed they own their address: needed before anything that counts (ADR 0005)."""
    return is_signed_in(person) and bool(getattr(person, "email_confirmed", False))


# A platform administrator. Apps above import this one predicate rather than redefine it.
is_administrator = rules.is_superuser

# Names avoid Django's model permissions (add_/change_/delete_/view_), which staff may be granted
# through groups: these are decided by the predicates alone.
rules.add_perm("people.edit_profile", is_self | is_administrator)
rules.add_perm("people.erase_account", is_self | is_administrator)
rules.add_perm("people.create_organisation", is_administrator)
rules.add_perm("people.manage_members", manages_organisation | is_administrator)

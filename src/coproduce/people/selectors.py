"""Reads about people and organisations."""

from django.db.models import QuerySet

from .models import Membership, Organisation, Person, Sector


def person_memberships(person: Person) -> QuerySet[Membership]:
    return person.memberships.select_related("organisation").order_by("organisation__name")


def person_is_professional(person: Person) -> bool:
    """A professional is staff (or a manager) of a public agency."""
    return any(
        Sector.PUBLIC in m.organisation.sectors
        and m.role in (Membership.Role.STAFF, Membership.Role.MANAGER)
        for m in person_memberships(person)
    )


def organisations_of(person: Person) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__person=person).distinct()

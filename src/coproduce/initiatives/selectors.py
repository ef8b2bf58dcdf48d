"""Reads for initiative pages, reports and the API."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from coproduce.people.models import Organisation, Person

from .models import CoLeadInvitation, Initiative, Participation, Phase, ServiceSector


@dataclass(frozen=True)
class InitiativeFilters:
    sector: str = ""
    level: str = ""
    stage: str = ""
    area: str = ""
    q: str = ""


def initiative_list(filters: InitiativeFilters = InitiativeFilters()) -> QuerySet[Initiative]:
    """Public initiatives (not drafts), filtered. "Stage" is the phase currently under way."""
    qs = (
        Initiative.objects.exclude(status=Initiative.Status.DRAFT)
        .select_related("service", "host")
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("starts_on", "id")))
        .annotate(
            people_count=Count("participations", distinct=True),
        )
        .order_by("title")
    )
    if filters.sector:
        qs = qs.filter(service__sector=filters.sector)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.stage:
        qs = qs.filter(phases__kind=filters.stage, phases__status=Phase.Status.OPEN)
    if filters.area:
        qs = qs.filter(area=filters.area)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(summary__icontains=filters.q))
    return qs


def initiative_areas() -> list[str]:
    return list(
        Initiative.objects.exclude(status=Initiative.Status.DRAFT)
        .order_by("area")
        .values_list("area", flat=True)
        .distinct()
    )


def initiative_sectors_in_use() -> list[tuple[str, str]]:
    used = set(
        Initiative.objects.exclude(status=Initiative.Status.DRAFT).values_list(
            "service__sector", flat=True
        )
    )
    return [(code, label) for code, label in ServiceSector.choices if code in used]


def initiative_visible_to(initiative: Initiative, person) -> bool:
    """Drafts are seen by their participants and administrators only."""
    if initiative.status != Initiative.Status.DRAFT:
        return True
    if not getattr(person, "is_authenticated", False):
        return False
    return person.is_superuser or initiative.participations.filter(person=person).exists()


def initiative_phases(initiative: Initiative) -> list[Phase]:
    return sorted(initiative.phases.all(), key=lambda phase: phase.position)


def current_phase(initiative: Initiative) -> Phase | None:
    return next((p for p in initiative_phases(initiative) if p.status == Phase.Status.OPEN), None)


def initiative_co_leads(initiative: Initiative) -> QuerySet[Participation]:
    return (
        initiative.participations.filter(role=Participation.Role.CO_LEAD)
        .select_related("person", "organisation")
        .order_by("joined_at", "id")
    )


def initiative_role_counts(initiative: Initiative) -> list[tuple[str, int]]:
    counts = dict(initiative.participations.values_list("role").annotate(n=Count("id")).order_by())
    return [(label, counts.get(code, 0)) for code, label in Participation.Role.choices]


def initiative_organisations(initiative: Initiative) -> list[tuple[Organisation, list[str]]]:
    """Every organisation involved and how: host, funder of the service, or represented by a
    participant."""
    roles: dict[int, tuple[Organisation, list[str]]] = {}

    def add(organisation: Organisation | None, role: str) -> None:
        if organisation is None:
            return
        entry = roles.setdefault(organisation.pk, (organisation, []))
        if role not in entry[1]:
            entry[1].append(role)

    add(initiative.host, _("host"))
    add(initiative.service.funder, _("funder"))
    for participation in initiative.participations.exclude(organisation=None).select_related(
        "organisation"
    ):
        add(participation.organisation, str(participation.get_role_display()).lower())
    return sorted(roles.values(), key=lambda item: item[0].name)


def person_initiatives(person: Person) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(person=person)
        .select_related("initiative", "initiative__service", "organisation")
        .order_by("initiative__title")
    )


def person_pending_invitations(person: Person) -> QuerySet[CoLeadInvitation]:
    """Invitations sent to this person's address, once they have confirmed they own it."""
    if not getattr(person, "email_confirmed", False):
        return CoLeadInvitation.objects.none()
    return CoLeadInvitation.objects.filter(
        email__iexact=person.email, status=CoLeadInvitation.Status.PENDING
    ).select_related("initiative", "invited_by", "organisation")


def participation_of(person, initiative: Initiative) -> Participation | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return initiative.participations.filter(person=person).first()


def initiative_people(initiative: Initiative) -> QuerySet[Person]:
    """Everyone taking part, for the pick-lists of co-leads recording for someone else."""
    return Person.objects.filter(participations__initiative=initiative).order_by(
        "display_name", "id"
    )


def initiative_professionals(initiative: Initiative) -> QuerySet[Person]:
    return initiative_people(initiative).filter(
        participations__role__in=[Participation.Role.PROFESSIONAL, Participation.Role.CO_LEAD]
    )

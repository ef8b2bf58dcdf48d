"""Writing the demo data set to the database, through the same services the web and API use.

The loader first creates the demo's people (there is nobody yet to act, so the system does, with
an audit row naming the demo as source); from then on it acts as the demo administrator, and
every organisation, membership, public service, initiative, phase and participation is written
by a service that checks that actor's permission like any other call. Budgets are then run by
the initiative's own co-lead, officials and voters. The demo's audit log is a faithful record and
``coproduce audit verify`` passes on it.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coproduce.audit.services import audit_record
from coproduce.initiatives.models import Initiative, Participation, Phase
from coproduce.initiatives.services import initiative_create, participation_add, service_create
from coproduce.people.models import Organisation, Person
from coproduce.people.services import membership_add, organisation_create

from .budgets import load_demo_budgets
from .cases import CO_LEAD
from .data import (
    DEFAULT_SEED,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    MARKER_SLUG,
    DemoPlan,
    PersonPlan,
    build_plan,
)
from .delivery_history import load_delivery_history

Progress = Callable[[str], None]


class DemoConflict(Exception):
    """The database holds data that would clash with the demo (an account with a demo email)."""


@dataclass(frozen=True)
class DemoCounts:
    initiatives: int
    organisations: int
    people: int
    participations: int


def demo_is_loaded() -> bool:
    return Organisation.objects.filter(slug=MARKER_SLUG).exists()


def demo_counts() -> DemoCounts:
    """Totals in the database (the demo's own rows plus anything else already there)."""
    return DemoCounts(
        initiatives=Initiative.objects.count(),
        organisations=Organisation.objects.count(),
        people=Person.objects.count(),
        participations=Participation.objects.count(),
    )


def _person_create(*, plan: PersonPlan, password_hash: str | None) -> Person:
    """Create one person and record it. Demo accounts get the shared password's hash, computed
    once by the caller: hashing it for each account would take most of the loading time."""
    with transaction.atomic():
        fields = {
            "display_name": plan.display_name,
            "area": plan.area,
            "preferred_language": plan.preferred_language,
            "bio": plan.bio,
            "email_confirmed": plan.email_confirmed,
            "date_joined": plan.date_joined,
        }
        if plan.superuser:
            person = Person.objects.create_superuser(plan.email, password=None, **fields)
        else:
            # No password: generated people cannot sign in (an unusable password is not hashed).
            person = Person.objects.create_user(plan.email, password=None, **fields)
        if password_hash is not None:
            person.password = password_hash
            person.save(update_fields=["password"])
        EmailAddress.objects.create(
            user=person, email=person.email, verified=person.email_confirmed, primary=True
        )
        audit_record(actor=None, action="person.create", target=person, payload={"source": "demo"})
    return person


def _load(plan: DemoPlan, progress: Progress) -> None:
    password_hash = make_password(DEMO_PASSWORD)
    people: dict[str, Person] = {}
    for number, person_plan in enumerate(plan.people, start=1):
        people[person_plan.email] = _person_create(
            plan=person_plan, password_hash=password_hash if person_plan.account else None
        )
        if number % 200 == 0:
            progress(f"People: {number}/{len(plan.people)}")
    administrator = people[next(account.email for account in DEMO_ACCOUNTS if account.superuser)]

    organisations: dict[str, Organisation] = {}
    for definition in plan.organisations:
        organisations[definition.slug] = organisation_create(
            actor=administrator,
            name=definition.name,
            slug=definition.slug,
            sectors=list(definition.sectors),
            area=definition.area,
            website=definition.website,
            description=definition.description,
        )
    hybrids = sum(1 for organisation in organisations.values() if organisation.is_hybrid)
    progress(f"Organisations: {len(organisations)} ({hybrids} hybrid)")

    for membership in plan.memberships:
        membership_add(
            actor=administrator,
            person=people[membership.person],
            organisation=organisations[membership.organisation],
            role=membership.role,
            since=membership.since,
        )
    progress(f"People: {len(people)}, with {len(plan.memberships)} memberships")

    for number, initiative_plan in enumerate(plan.initiatives, start=1):
        case = initiative_plan.case
        service = service_create(
            actor=administrator,
            name=case.service.name,
            sector=case.service.sector,
            funder=organisations[case.service.funder],
            description=case.service.description,
        )
        participations = sorted(
            (p for p in plan.participations if p.initiative == case.slug),
            key=lambda p: (p.role != CO_LEAD, p.joined_at),
        )
        # Co-leads join through participation_add rather than initiative_create(co_leads=...)
        # so that their joining date is the start of the initiative, not the day of loading.
        initiative = initiative_create(
            actor=administrator,
            title=case.title,
            slug=case.slug,
            service=service,
            level=case.level,
            area=case.area,
            summary=case.summary,
            host=organisations[case.host] if case.host else None,
            description=case.description,
            status=case.status,
            phases=initiative_plan.phases,
        )
        for participation in participations:
            participation_add(
                actor=administrator,
                person=people[participation.person],
                initiative=initiative,
                role=participation.role,
                channel=participation.channel,
                organisation=(
                    organisations[participation.organisation]
                    if participation.organisation
                    else None
                ),
                joined_at=participation.joined_at,
            )
        under_way = next(
            (kind for kind, phase in initiative_plan.phases.items() if phase["status"] == "open"),
            None,
        )
        stage = f"in {str(Phase.Kind(under_way).label).lower()}" if under_way else case.status
        progress(
            f"Initiative {number}/{len(plan.initiatives)}: {case.title} "
            f"({initiative.get_level_display()}, {stage}, {len(participations)} participants)"
        )
    load_demo_budgets(rng=random.Random(plan.seed), progress=progress)
    history = load_delivery_history(rng=random.Random(plan.seed))
    progress(f"Co-delivery: {_summary(history)}")
    audit_record(actor=None, action="demo.load", payload={"seed": plan.seed, "today": plan.today})


def _summary(history: dict) -> str:
    """'12 tasks, 243 shifts, ...' from the counts the co-delivery loader returns."""
    return ", ".join(
        f"{value} {key.replace('_', ' ')}"
        for key, value in history.items()
        if isinstance(value, int)
    )


def demo_load(
    *,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> bool:
    """Load the demo data set in one transaction. Returns False, changing nothing, when it is
    already loaded; raises :class:`DemoConflict` when a demo account's email is already taken."""
    progress = progress or (lambda _line: None)
    with transaction.atomic():
        if demo_is_loaded():
            return False
        taken = list(
            Person.objects.filter(email__in=[account.email for account in DEMO_ACCOUNTS])
            .order_by("email")
            .values_list("email", flat=True)
        )
        if taken:
            raise DemoConflict(
                "These demo accounts already exist but the demo data set is not loaded: "
                f"{', '.join(taken)}. Load the demo into an empty database."
            )
        plan = build_plan(seed=seed, today=today or timezone.localdate())
        progress(
            f"Loading the demo data set (seed {seed}): {len(plan.initiatives)} initiatives, "
            f"{len(plan.people)} people"
        )
        _load(plan, progress)
    return True

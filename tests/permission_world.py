"""What the permission matrix (``permission_matrix.py``) is read against: the nine roles, the
objects a service row calls its service on, and one initiative with something of every kind for
the URL rows.

Services and URLs are found in the code, never listed by hand: every ``coproduce.<app>.services``
module's public functions, and every pattern of the URLconf except the Django admin's.
"""

import datetime as dt
import importlib
import inspect
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from coproduce.initiatives.models import Initiative
from coproduce.people.models import Membership, Person
from factories import (
    InitiativeFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
)

# -- The nine roles ----------------------------------------------------------------------------

ANONYMOUS = "anonymous"
UNVERIFIED = "unverified"  # signed up, email address not confirmed, takes part in nothing
CITIZEN = "citizen"  # a verified citizen participant of this initiative
OBSERVER = "observer"  # a verified observer of this initiative
PROFESSIONAL = "professional"  # staff of the initiative's host agency, taking part as one
CO_LEAD = "co_lead"  # a co-lead of this initiative
OTHER_LEAD = "other_lead"  # a co-lead of another initiative, taking no part in this one
MODERATOR = "moderator"  # in the "Moderators" group with the `moderate` permission
ADMIN = "admin"  # a superuser

ROLES = (
    ANONYMOUS,
    UNVERIFIED,
    CITIZEN,
    OBSERVER,
    PROFESSIONAL,
    CO_LEAD,
    OTHER_LEAD,
    MODERATOR,
    ADMIN,
)

# The kind of unrelated person the services contract puts in the allowed actor's place.
OUTSIDER = "outsider"


def member(initiative: Initiative, role: str) -> Person:
    """A new verified person taking part in the initiative in ``role`` (a participation role:
    ``co_lead``, ``professional``, ``citizen``, ``observer``)."""
    return ParticipationFactory(initiative=initiative, role=role).person


def administrator() -> Person:
    return PersonFactory(is_superuser=True, is_staff=True)


def moderators() -> Group:
    """The group a moderator belongs to. Nothing grants it anything yet: the column is there for
    the co-design of moderation, and shows what a moderator may do today (what any verified
    person may)."""
    group, _created = Group.objects.get_or_create(name="Moderators")
    permission, _created = Permission.objects.get_or_create(
        codename="moderate",
        content_type=ContentType.objects.get_for_model(Person),
        defaults={"name": "Can moderate"},
    )
    group.permissions.add(permission)
    return group


def cast(initiative: Initiative) -> dict[str, Any]:
    """One person in each role around ``initiative`` (the anonymous visitor included)."""
    host = initiative.host or OrganisationFactory()
    professional = member(initiative, PROFESSIONAL)
    MembershipFactory(person=professional, organisation=host, role=Membership.Role.STAFF)
    moderator = PersonFactory()
    moderator.groups.add(moderators())
    return {
        ANONYMOUS: AnonymousUser(),
        UNVERIFIED: PersonFactory(email_confirmed=False),
        CITIZEN: member(initiative, CITIZEN),
        OBSERVER: member(initiative, OBSERVER),
        PROFESSIONAL: professional,
        CO_LEAD: member(initiative, CO_LEAD),
        OTHER_LEAD: member(InitiativeFactory(), CO_LEAD),
        MODERATOR: moderator,
        ADMIN: administrator(),
    }


def initiative_of(value: Any, depth: int = 3) -> Initiative | None:
    """The initiative an argument of a service belongs to (a budget's, a shift's task's...)."""
    if isinstance(value, Initiative):
        return value
    if depth == 0 or not isinstance(value, models.Model):
        return None
    for name in ("initiative", "budget", "task", "shift", "timebank", "category", "payer"):
        found = initiative_of(getattr(value, name, None), depth - 1)
        if found is not None:
            return found
    return None


# -- Finding services and URLs -----------------------------------------------------------------


def service_modules() -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("coproduce."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.services"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.services":
                raise
    return modules


# Public functions of a services module that are not services: they change nothing, so they
# have no actor and write no audit entry.
NOT_SERVICES = {
    "voter_eligibility_problem",  # explains why someone may not vote, for the page
    "ballot_problems",  # checks choices against the ballot rules, for the page
    "clean_attributes",  # validates answers to a category's questions
    "contact_retention_days",  # reads a setting
}


def discovered_services() -> dict[str, Callable]:
    found = {}
    for module in service_modules():
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and name not in NOT_SERVICES
            ):
                found[name] = value
    return found


def service(name: str) -> Callable:
    """A service by name, wherever it lives now."""
    return discovered_services()[name]


def model(name: str):
    """A model by class name, in whichever app holds it now."""
    for candidate in apps.get_models():
        if candidate.__name__ == name:
            return candidate
    raise LookupError(f"no installed model is called {name}")


def helper(name: str) -> Any:
    """A class or constant defined beside the services (e.g. ``ContributionDraft``)."""
    for module in service_modules():
        if hasattr(module, name):
            return getattr(module, name)
    raise LookupError(name)


# URL namespaces the matrix leaves out: the Django admin has its own staff-only permissions.
NOT_MATRIX_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Route:
    """One pattern of the URLconf: its key in the table (``namespace:name``, or the full route
    when it has no name) and how to fill its path parameters."""

    key: str
    route: str
    pattern: URLPattern
    namespace: str


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, (namespace, entry.namespace)))
            if entry.namespace in NOT_MATRIX_NAMESPACES:
                continue
            yield from _walk(entry, route, inner)
        elif entry.name:
            yield Route(":".join(filter(None, (namespace, entry.name))), route, entry, namespace)
        else:
            yield Route(route, route, entry, namespace)


def url_routes() -> dict[str, Route]:
    """Every pattern of the site's URLconf the matrix covers, by its key in the table."""
    return {route.key: route for route in _walk(get_resolver(), "", "")}


# -- What each service row calls its service with --------------------------------------------


def active_initiative():
    """An initiative in co-delivery, with its co-lead."""
    initiative = InitiativeFactory(phases={"deliver": "open"})
    return initiative, member(initiative, CO_LEAD)


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


# People


def build_person_update_profile() -> dict:
    person = PersonFactory()
    return {"actor": person, "person": person, "display_name": "A new name"}


def build_person_confirm_email() -> dict:
    person = PersonFactory(email_confirmed=False)
    return {"person": person, "email": person.email}


# Initiatives


def build_phase_update() -> dict:
    initiative, lead = active_initiative()
    phase = initiative.phases.get(kind="design")
    return {
        "actor": lead,
        "phase": phase,
        "starts_on": dt.date(2026, 4, 2),
        "ends_on": dt.date(2026, 6, 1),
        "status": "planned",
    }


def build_participation_change() -> dict:
    initiative, lead = active_initiative()
    participation = ParticipationFactory(initiative=initiative, role=CITIZEN)
    return {"actor": lead, "participation": participation}


def build_invitation_answer() -> dict:
    initiative, lead = active_initiative()
    invitee = PersonFactory()
    invitation = service("co_lead_invite")(actor=lead, initiative=initiative, email=invitee.email)
    return {
        "person": invitee,
        "invitation": invitation,
        "token": invitation.token,
        "accept": True,
    }


# Commissioning


def budget(stage: str = "draft", **fields):
    initiative, lead = active_initiative()
    made = service("budget_create")(
        actor=lead,
        initiative=initiative,
        title="Budget",
        slug=f"budget-{initiative.pk}",
        areas=[(initiative.area, Decimal("1000"))],
        eligibility="anyone",
        stage=stage,
        **fields,
    )
    return made, lead


def proposal():
    made, lead = budget("proposals")
    submitted = service("proposal_submit")(
        actor=PersonFactory(),
        budget=made,
        area=made.areas.get(),
        title="Benches",
        description="Benches by the river.",
        estimated_cost=Decimal("400"),
    )
    return made, lead, submitted


def voting_budget():
    made, lead, submitted = proposal()
    service("proposal_review")(
        actor=lead, proposal=submitted, feasible=True, cost=Decimal("400"), reason="Checked."
    )
    service("budget_advance")(actor=lead, budget=made, to_stage="review")
    service("budget_advance")(actor=lead, budget=made, to_stage="voting")
    return made, lead, submitted


def choices(*codes: str):
    return helper("Choices")(approvals=frozenset(codes))


def build_paper_ballot_confirm() -> dict:
    made, lead, submitted = voting_budget()
    ballot = service("paper_ballot_enter")(
        official=lead, budget=made, choices=choices(submitted.code)
    )
    return {"official": administrator(), "ballot": ballot}


def closed_budget():
    made, lead, submitted = voting_budget()
    service("ballot_cast")(voter=PersonFactory(), budget=made, choices=choices(submitted.code))
    service("budget_advance")(actor=lead, budget=made, to_stage="closed")
    return made, lead, submitted


def build_milestone_add() -> dict:
    made, lead, submitted = closed_budget()
    service("budget_tally")(actor=lead, budget=made)
    service("budget_advance")(actor=lead, budget=made, to_stage="published")
    return {"actor": lead, "proposal": submitted, "title": "Benches ordered"}


# Co-delivery (the ledger, tasks and shifts, the timebank, service requests)


def task():
    initiative, lead = active_initiative()
    made = service("task_create")(
        actor=lead, initiative=initiative, title="Litter pick", description="Along the river."
    )
    return made, lead


def shift(starts_in: dt.timedelta = dt.timedelta(days=2)):
    made, lead = task()
    starts = timezone.now() + starts_in
    created = service("shift_create")(
        actor=lead, task=made, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), capacity=3
    )
    return created, lead


def signup(starts_in: dt.timedelta = dt.timedelta(days=2)):
    made, lead = shift(starts_in)
    person = member(made.task.initiative, CITIZEN)
    signed = service("shift_sign_up")(
        person=person, shift=made, now=made.starts_at - dt.timedelta(hours=3)
    )
    return signed, lead


def build_shift_signup_cancel() -> dict:
    made, _lead = signup()
    return {"actor": made.person, "signup": made}


def build_shift_signups_cancel_on_leave() -> dict:
    made, lead = signup()
    return {"actor": lead, "person": made.person, "initiative": made.shift.task.initiative}


def build_shift_hours_confirm() -> dict:
    made, lead = signup(starts_in=-dt.timedelta(hours=3))
    return {"actor": lead, "signup": made}


def contribution(confirmed: bool = False):
    initiative, lead = active_initiative()
    person = member(initiative, CITIZEN)
    made = service("contribution_record")(
        actor=person,
        initiative=initiative,
        person=person,
        kind="time",
        quantity="2",
        occurred_on=yesterday(),
    )
    if confirmed:
        made = service("contribution_confirm")(actor=lead, contribution=made)
    return made, lead


def build_contribution_record() -> dict:
    initiative, _lead = active_initiative()
    person = member(initiative, CITIZEN)
    return {
        "actor": person,
        "initiative": initiative,
        "person": person,
        "kind": "time",
        "quantity": "2",
        "occurred_on": yesterday(),
    }


def build_contribution_record_many() -> dict:
    initiative, lead = active_initiative()
    draft = helper("ContributionDraft")(
        person=member(initiative, CITIZEN),
        kind="time",
        quantity=Decimal("1"),
        occurred_on=yesterday(),
    )
    return {"actor": lead, "initiative": initiative, "drafts": [draft]}


def build_contribution_import() -> dict:
    initiative, lead = active_initiative()
    person = member(initiative, CITIZEN)
    content = f"email,date,kind,quantity\n{person.email},{yesterday().isoformat()},time,2\n"
    return {"actor": lead, "initiative": initiative, "content": content.encode()}


def timebank():
    initiative, lead = active_initiative()
    return service("timebank_open")(actor=lead, initiative=initiative), lead


def account(bank):
    person = member(bank.initiative, CITIZEN)
    return service("timebank_account_open")(person=person, timebank=bank)


def listing():
    bank, lead = timebank()
    person = member(bank.initiative, CITIZEN)
    made = service("listing_create")(
        person=person, timebank=bank, kind="offer", category="gardening", title="Weeding"
    )
    return made, lead


def exchange():
    offer, lead = listing()
    helped = member(offer.timebank.initiative, CITIZEN)
    made = service("exchange_propose")(actor=helped, listing=offer, hours="1")
    return made, helped


def build_timebank_transfer() -> dict:
    bank, lead = timebank()
    return {"actor": lead, "payer": account(bank), "payee": account(bank), "hours": "1"}


def category():
    initiative, lead = active_initiative()
    made = service("request_category_create")(
        actor=lead, initiative=initiative, code="litter", name="Litter"
    )
    return made, lead


def service_request():
    made, lead = category()
    reported = service("service_request_create")(
        category=made, description="Bags left by the bins.", address="1 River Street"
    )
    return reported, lead


def build_valuation_rate_delete() -> dict:
    initiative, lead = active_initiative()
    rate = service("valuation_rate_set")(
        actor=lead, initiative=initiative, kind="time", work_type="", amount=Decimal("15")
    )
    return {"actor": lead, "rate": rate}


def build_shift_reminders_send() -> dict:
    signup(starts_in=dt.timedelta(hours=2))
    return {}


# -- The world the URL rows are read in --------------------------------------------------------


def photo_upload() -> SimpleUploadedFile:
    """A small PNG picture, as an upload (the site decodes and re-encodes every upload)."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return SimpleUploadedFile("bins.png", buffer.getvalue(), content_type="image/png")


@dataclass
class World:
    """One active initiative with something of every kind in it, and the nine roles around it.

    Who is who, so rows can say why a role may act: the citizen reported the service request,
    recorded the contribution, signed up to the shift, holds a timebank account and offers the
    listing; the observer proposed the exchange on it (and so receives the help); the
    professional supervises the shift; the invitation to co-lead was sent to the citizen.
    """

    initiative: Initiative
    people: dict[str, Any]
    ideas: Any  # a budget taking proposals
    budget: Any  # voting, with one feasible proposal
    published: Any  # a budget whose result is published
    task: Any
    shift: Any
    signup: Any
    contribution: Any
    timebank: Any
    account: Any  # the citizen's
    listing: Any  # the citizen's offer
    exchange: Any  # the observer's, on that offer
    category: Any
    request: Any  # reported by the citizen, with a photo
    invitation: Any  # to the citizen
    calendar_token: str  # the citizen's
    milestone: Any  # of the published budget's project, with a photo
    confirm_key: str  # the key emailed to the unverified person, to confirm their address
    reset_key: dict[str, str]  # the link emailed to the citizen to reset their password
    api_key: str  # an Open311 key, as the application holding it sends it

    def __getitem__(self, role: str) -> Any:
        return self.people[role]


def _budget(world_lead: Person, initiative: Initiative, slug: str, stage: str):
    made = service("budget_create")(
        actor=world_lead,
        initiative=initiative,
        title=slug.title(),
        slug=slug,
        areas=[(initiative.area, Decimal("1000"))],
        eligibility="anyone",
        stage="proposals",
    )
    proposal = service("proposal_submit")(
        actor=world_lead,
        budget=made,
        area=made.areas.get(),
        title="Benches",
        description="Benches by the river.",
        estimated_cost=Decimal("400"),
    )
    service("proposal_review")(
        actor=world_lead, proposal=proposal, feasible=True, cost=Decimal("400"), reason="Checked."
    )
    steps = ("proposals", "review", "voting", "closed", "published")
    for step in steps[1 : steps.index(stage) + 1]:
        if step == "published":
            service("budget_tally")(actor=world_lead, budget=made)
        service("budget_advance")(actor=world_lead, budget=made, to_stage=step)
        if step == "voting" and stage != "voting":
            choices = helper("Choices")(approvals=frozenset({proposal.code}))
            service("ballot_cast")(voter=PersonFactory(), budget=made, choices=choices)
    made.refresh_from_db()
    return made


def build_world() -> World:
    """Build the world through the services, as its co-lead and its members would."""
    initiative = InitiativeFactory(phases={"deliver": "open"})
    people = cast(initiative)
    lead, citizen, observer = people[CO_LEAD], people[CITIZEN], people[OBSERVER]
    task = service("task_create")(
        actor=lead, initiative=initiative, title="Litter pick", description="Along the river."
    )
    starts = timezone.now() + dt.timedelta(days=2)
    shift = service("shift_create")(
        actor=lead,
        task=task,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=3,
        professional=people[PROFESSIONAL],
    )
    bank = service("timebank_open")(actor=lead, initiative=initiative)
    account = service("timebank_account_open")(person=citizen, timebank=bank)
    listing = service("listing_create")(
        person=citizen, timebank=bank, kind="offer", category="gardening", title="Weeding"
    )
    category = service("request_category_create")(
        actor=lead, initiative=initiative, code="litter", name="Litter"
    )
    published = _budget(lead, initiative, "trees", "published")
    return World(
        initiative=initiative,
        people=people,
        ideas=_budget(lead, initiative, "ideas", "proposals"),
        budget=_budget(lead, initiative, "benches", "voting"),
        published=published,
        task=task,
        shift=shift,
        signup=service("shift_sign_up")(person=citizen, shift=shift),
        contribution=service("contribution_record")(
            actor=citizen,
            initiative=initiative,
            person=citizen,
            kind="time",
            quantity="2",
            occurred_on=timezone.localdate() - dt.timedelta(days=1),
        ),
        timebank=bank,
        account=account,
        listing=listing,
        exchange=service("exchange_propose")(actor=observer, listing=listing, hours="1"),
        category=category,
        request=service("service_request_create")(
            category=category,
            reporter=citizen,
            description="Bags left by the bins.",
            address="1 River Street",
            photo=photo_upload(),
        ),
        invitation=service("co_lead_invite")(
            actor=lead, initiative=initiative, email=citizen.email
        ),
        calendar_token=service("calendar_feed_for")(person=citizen).token,
        milestone=service("milestone_add")(
            actor=lead,
            proposal=published.proposals.get(),
            title="Benches ordered",
            photo=photo_upload(),
            photo_description="Two benches by the river.",
        ),
        confirm_key=EmailConfirmationHMAC(
            EmailAddress.objects.create(user=people[UNVERIFIED], email=people[UNVERIFIED].email)
        ).key,
        reset_key={
            "uidb36": user_pk_to_url_str(citizen),
            "key": default_token_generator.make_token(citizen),
        },
        api_key=service("api_key_issue")(actor=people[ADMIN], name="City app")[1],
    )

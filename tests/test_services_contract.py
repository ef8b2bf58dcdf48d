"""The contract every service keeps: it writes an audit entry, and it refuses an actor the rules
do not allow with ``PermissionDenied``, writing nothing.

The services are found in the code (``coproduce.<app>.services`` for every installed app), not
listed by hand, and each must have its row in ``SERVICES``: a new service cannot be added without
saying how it is called and who it refuses. Rows are keyed by function name only and look models
up by class name, so they survive services and models moving between apps.
"""

import datetime as dt
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from factories import (
    InitiativeFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    ServiceFactory,
)

# Public functions of a services module that are not services: they change nothing, so they
# have no actor and write no audit entry.
NOT_SERVICES = {
    "voter_eligibility_problem",  # explains why someone may not vote, for the page
    "ballot_problems",  # checks choices against the ballot rules, for the page
    "clean_attributes",  # validates answers to a category's questions
    "contact_retention_days",  # reads a setting
}

# Services whose check still lives only in their view (name: reason). Empty: every service
# checks its own actor. A name added here makes its refusal test a strict expected failure, so
# the list cannot outlive the gap it records.
CHECK_NOT_IN_SERVICE_YET: dict[str, str] = {}


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


# -- The world the rows build on -------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The rows create many people; hashing their passwords properly would take most of the
    module's time and checks nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ANONYMOUS, OUTSIDER = "anonymous", "outsider"
CO_LEAD, PROFESSIONAL, CITIZEN = "co_lead", "professional", "citizen"


def member(initiative, role: str):
    return ParticipationFactory(initiative=initiative, role=role).person


def administrator():
    return PersonFactory(is_superuser=True, is_staff=True)


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


# -- The table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """How to call a service with an allowed actor, and whom it must refuse.

    ``build`` returns keyword arguments (with the allowed actor under ``actor_arg``);
    ``refuses`` names the kinds of actor put in its place that must get PermissionDenied —
    empty when no permission applies, and ``why`` then says why.
    """

    build: Callable[[], dict]
    actor_arg: str = "actor"
    refuses: tuple[str, ...] = (ANONYMOUS, OUTSIDER)
    why: str = ""


def _with(build: Callable[[], tuple], **fields) -> Callable[[], dict]:
    """A builder from a setup returning (object, actor): ``fields`` maps argument names to the
    object (``"obj"``), the actor (``"actor"``) or a fixed value."""

    def builder() -> dict:
        obj, actor = build()
        return {
            key: obj if value == "obj" else actor if value == "actor" else value
            for key, value in fields.items()
        }

    return builder


def _lead_of_new_initiative(**fields) -> Callable[[], dict]:
    def builder() -> dict:
        initiative, lead = active_initiative()
        return {"actor": lead, "initiative": initiative, **fields}

    return builder


SERVICES: dict[str, Row] = {
    # audit
    "audit_record": Row(
        build=lambda: {"actor": PersonFactory(), "action": "contract.check"},
        refuses=(),
        why="the log itself: every service calls it after its own check",
    ),
    "audit_checkpoint": Row(
        build=lambda: {"reason": "contract"},
        actor_arg="",
        refuses=(),
        why="a system job (after a tally, daily from cron): the server's key signs, no person",
    ),
    # people
    "person_sign_up": Row(
        build=lambda: {"email": "new@example.org", "password": "x" * 12, "display_name": "New"},
        actor_arg="",
        refuses=(),
        why="anyone may sign up; the new person is the actor",
    ),
    "person_confirm_email": Row(
        build=build_person_confirm_email,
        actor_arg="",
        refuses=(),
        why="called once allauth has checked the key emailed to the address: the key is the proof",
    ),
    "person_update_profile": Row(build=build_person_update_profile),
    "person_erase": Row(build=lambda: {"actor": (person := PersonFactory()), "person": person}),
    "organisation_create": Row(
        build=lambda: {
            "actor": administrator(),
            "name": "Tenants Together",
            "slug": "tenants-together",
            "sectors": ["third"],
        }
    ),
    "membership_add": Row(
        build=lambda: {
            "actor": administrator(),
            "person": PersonFactory(),
            "organisation": OrganisationFactory(),
            "role": "staff",
        }
    ),
    # initiatives
    "service_create": Row(
        build=lambda: {"actor": administrator(), "name": "Fire prevention", "sector": "fire_rescue"}
    ),
    "initiative_create": Row(
        build=lambda: {
            "actor": administrator(),
            "title": "Safe and Well",
            "slug": "safe-and-well",
            "service": ServiceFactory(),
            "level": "co_production",
            "area": "Riverside",
            "summary": "Home visits together.",
        }
    ),
    "initiative_update": Row(
        build=lambda: dict(
            zip(("initiative", "actor"), active_initiative(), strict=True), title="Renamed"
        )
    ),
    "phase_update": Row(build=build_phase_update),
    "participation_add": Row(
        build=lambda: {
            **_lead_of_new_initiative(role=CITIZEN, channel="admin")(),
            "person": PersonFactory(),
        }
    ),
    "participation_remove": Row(build=build_participation_change),
    "participation_change_role": Row(
        build=lambda: {**build_participation_change(), "role": PROFESSIONAL}
    ),
    "initiative_join": Row(
        build=lambda: {"person": PersonFactory(), "initiative": active_initiative()[0]},
        actor_arg="person",
        refuses=(ANONYMOUS,),
    ),
    "participation_ensure": Row(
        build=lambda: {"person": PersonFactory(), "initiative": active_initiative()[0]},
        actor_arg="person",
        refuses=(ANONYMOUS,),
    ),
    "initiative_leave": Row(
        build=lambda: {
            "person": member(initiative := active_initiative()[0], CITIZEN),
            "initiative": initiative,
        },
        actor_arg="person",
        refuses=(ANONYMOUS,),
    ),
    "co_lead_invite": Row(build=_lead_of_new_initiative(email="lead2@example.org")),
    "co_lead_invitation_answer": Row(build=build_invitation_answer, actor_arg="person"),
    # commissioning
    "budget_create": Row(
        build=_lead_of_new_initiative(
            title="Budget", slug="new-budget", areas=[("Riverside", Decimal("1000"))]
        )
    ),
    "budget_advance": Row(build=_with(budget, budget="obj", actor="actor", to_stage="proposals")),
    "budget_set_rule": Row(build=_with(budget, budget="obj", actor="actor", rule="greedy")),
    "proposal_submit": Row(
        build=lambda: {
            "actor": PersonFactory(),
            "budget": (made := budget("proposals")[0]),
            "area": made.areas.get(),
            "title": "Trees",
            "description": "Trees on the square.",
            "estimated_cost": Decimal("300"),
        },
        refuses=(ANONYMOUS,),
    ),
    "proposal_review": Row(
        build=lambda: dict(
            zip(("actor", "proposal"), proposal()[1:], strict=True),
            feasible=True,
            cost=Decimal("400"),
            reason="Checked with the parks team.",
        )
    ),
    "census_upload": Row(
        build=_with(budget, budget="obj", actor="actor", data=b"email\nvoter@example.org\n")
    ),
    "ballot_cast": Row(
        build=lambda: {
            "voter": PersonFactory(),
            "budget": (made := voting_budget())[0],
            "choices": choices(made[2].code),
        },
        actor_arg="voter",
        refuses=(ANONYMOUS,),
    ),
    "paper_ballot_enter": Row(
        build=lambda: {
            "official": (made := voting_budget())[1],
            "budget": made[0],
            "choices": choices(made[2].code),
        },
        actor_arg="official",
    ),
    "paper_ballot_confirm": Row(build=build_paper_ballot_confirm, actor_arg="official"),
    "budget_tally": Row(
        build=lambda: dict(zip(("budget", "actor"), closed_budget()[:2], strict=True))
    ),
    "milestone_add": Row(build=build_milestone_add),
    # co-delivery: tasks and shifts
    "requirement_create": Row(build=_lead_of_new_initiative(name="First aid")),
    "requirement_confirm": Row(
        build=lambda: {
            "actor": (made := active_initiative())[1],
            "requirement": service("requirement_create")(
                actor=made[1], initiative=made[0], name="First aid"
            ),
            "person": member(made[0], CITIZEN),
        }
    ),
    "task_create": Row(build=_lead_of_new_initiative(title="Litter pick", description="River.")),
    "task_update": Row(build=_with(task, task="obj", actor="actor", title="Litter pick (2)")),
    "shift_create": Row(
        build=lambda: {
            "actor": (made := task())[1],
            "task": made[0],
            "starts_at": timezone.now() + dt.timedelta(days=1),
            "ends_at": timezone.now() + dt.timedelta(days=1, hours=2),
            "capacity": 2,
        }
    ),
    "shift_update": Row(
        build=lambda: {
            "actor": (made := shift())[1],
            "shift": made[0],
            "starts_at": made[0].starts_at,
            "ends_at": made[0].ends_at,
            "capacity": 5,
        }
    ),
    "shift_sign_up": Row(
        build=lambda: {
            "shift": (made := shift()[0]),
            "person": member(made.task.initiative, CITIZEN),
        },
        actor_arg="person",
        refuses=(ANONYMOUS,),
    ),
    "shift_signup_cancel": Row(build=build_shift_signup_cancel),
    "shift_signups_cancel_on_leave": Row(build=build_shift_signups_cancel_on_leave),
    "shift_hours_confirm": Row(build=build_shift_hours_confirm),
    "shift_reminders_send": Row(
        build=build_shift_reminders_send,
        actor_arg="",
        refuses=(),
        why="a scheduled job: the system acts, no person",
    ),
    "calendar_feed_for": Row(
        build=lambda: {"person": PersonFactory()}, actor_arg="person", refuses=(ANONYMOUS,)
    ),
    "calendar_feed_reset": Row(
        build=lambda: {"person": PersonFactory()}, actor_arg="person", refuses=(ANONYMOUS,)
    ),
    # co-delivery: the ledger
    "contribution_record": Row(build=build_contribution_record),
    "contribution_record_many": Row(build=build_contribution_record_many),
    "contribution_import": Row(build=build_contribution_import),
    "contribution_confirm": Row(build=_with(contribution, contribution="obj", actor="actor")),
    "contribution_confirm_bulk": Row(build=_lead_of_new_initiative()),
    "contribution_dispute": Row(
        build=_with(contribution, contribution="obj", actor="actor", reason="Not that day.")
    ),
    "contribution_withdraw": Row(
        build=lambda: {"contribution": (made := contribution()[0]), "actor": made.person}
    ),
    "contribution_correct": Row(
        build=lambda: {
            "contribution": (made := contribution(confirmed=True))[0],
            "actor": made[1],
            "reason": "One hour, not two.",
            "quantity": "1",
        }
    ),
    "ledger_settings_update": Row(build=_lead_of_new_initiative(currency="GBP")),
    "valuation_rate_set": Row(
        build=_lead_of_new_initiative(kind="time", work_type="", amount=Decimal("15"))
    ),
    "valuation_rate_delete": Row(build=build_valuation_rate_delete),
    # co-delivery: the timebank
    "timebank_open": Row(build=_lead_of_new_initiative()),
    "timebank_update": Row(
        build=_with(
            timebank,
            timebank="obj",
            actor="actor",
            min_balance=Decimal("-5"),
            max_balance=Decimal("20"),
            is_active=True,
        )
    ),
    "timebank_account_open": Row(
        build=lambda: {
            "timebank": (bank := timebank()[0]),
            "person": member(bank.initiative, CITIZEN),
        },
        actor_arg="person",
        refuses=(ANONYMOUS,),
    ),
    "timebank_transfer": Row(build=build_timebank_transfer),
    "listing_create": Row(
        build=lambda: {
            "timebank": (bank := timebank()[0]),
            "person": member(bank.initiative, CITIZEN),
            "kind": "request",
            "category": "repairs",
            "title": "A shelf to put up",
        },
        actor_arg="person",
        refuses=(ANONYMOUS,),
    ),
    "listing_close": Row(
        build=lambda: {"listing": (made := listing()[0]), "actor": made.account.person}
    ),
    "exchange_propose": Row(
        build=lambda: {
            "listing": (made := listing()[0]),
            "actor": member(made.timebank.initiative, CITIZEN),
            "hours": "1",
        },
        refuses=(ANONYMOUS,),
    ),
    "exchange_complete": Row(build=_with(exchange, exchange="obj", actor="actor")),
    "exchange_cancel": Row(build=_with(exchange, exchange="obj", actor="actor")),
    # co-delivery: service requests
    "request_category_create": Row(build=_lead_of_new_initiative(code="potholes", name="Holes")),
    "service_request_create": Row(
        build=lambda: {
            "category": category()[0],
            "description": "A broken bench.",
            "address": "2 River Street",
        },
        actor_arg="reporter",
        refuses=(),
        why="anyone may report a problem, without an account (Open311)",
    ),
    "service_request_pick_up": Row(build=_with(service_request, request="obj", actor="actor")),
    "service_request_update": Row(
        build=_with(service_request, request="obj", actor="actor", status="closed", note="Fixed.")
    ),
    "service_request_comment": Row(
        build=_with(service_request, request="obj", actor="actor", note="Still there today.")
    ),
    "service_request_contacts_erase_expired": Row(
        build=lambda: {},
        actor_arg="",
        refuses=(),
        why="a scheduled job: the system acts, no person",
    ),
    "api_key_issue": Row(build=lambda: {"actor": administrator(), "name": "City app"}),
}


# -- The checks ------------------------------------------------------------------------------


def test_every_service_has_its_row():
    found = set(discovered_services())
    missing = sorted(found - set(SERVICES))
    assert not missing, (
        f"These services have no row in SERVICES in {__name__}: {missing}. Add one saying how to "
        "call the service with an allowed actor and whom it must refuse (or, for a function "
        "that changes nothing, add it to NOT_SERVICES with a comment)."
    )
    for name in sorted(found):
        assert "_" in name, f"{name} does not follow the <entity>_<action> convention"


def test_rows_name_existing_services():
    unknown = sorted(set(SERVICES) - set(discovered_services()))
    assert not unknown, f"SERVICES has rows for services that no longer exist: {unknown}"


def test_rows_without_refusals_say_why():
    for name, row in SERVICES.items():
        assert row.refuses or row.why, f"{name}: say why no permission applies"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_an_allowed_actor_writes_an_audit_entry(name):
    if name not in discovered_services():
        pytest.skip(f"{name} is not installed")
    kwargs = SERVICES[name].build()
    before = AuditEntry.objects.count()
    service(name)(**kwargs)
    assert AuditEntry.objects.count() > before, f"{name} wrote no audit entry"


REFUSALS = [
    pytest.param(
        name,
        who,
        id=f"{name}-{who}",
        marks=[pytest.mark.xfail(strict=True, reason=CHECK_NOT_IN_SERVICE_YET[name])]
        if name in CHECK_NOT_IN_SERVICE_YET
        else [],
    )
    for name, row in sorted(SERVICES.items())
    for who in row.refuses
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "who"), REFUSALS)
def test_an_actor_the_rules_do_not_allow_is_refused_and_nothing_is_written(name, who):
    if name not in discovered_services():
        pytest.skip(f"{name} is not installed")
    row = SERVICES[name]
    kwargs = row.build()
    kwargs[row.actor_arg] = AnonymousUser() if who == ANONYMOUS else PersonFactory()
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        service(name)(**kwargs)
    assert AuditEntry.objects.count() == before

"""The permission matrix: for every URL of the site and every service, which of nine roles may
use it. One table, read by ``test_permission_matrix.py`` (and, for the services, by
``test_services_contract.py``); a URL pattern or a service without its row here fails the suite.

The roles (``permission_world.py`` makes one person of each around an initiative):

==============  =================================================================================
anonymous       not signed in
unverified      signed up, email address not confirmed, takes part in nothing
citizen         verified, takes part in this initiative as a citizen
observer        verified, takes part in this initiative as an observer
professional    staff of the initiative's host agency, takes part as a professional
co_lead         a co-lead of this initiative
other_lead      a co-lead of another initiative, taking no part in this one
moderator       verified, in the "Moderators" group holding a ``moderate`` permission. Nothing is
                granted to it yet beyond what any signed-in person may: the column is there so
                the co-design of moderation can fill it, and shows what a moderator may do today
admin           a superuser
==============  =================================================================================

Notation. A cell is the set of roles allowed; the others are refused. Sets are built from the
presets below with ``|`` (union) and ``-`` (difference): ``CO_LEADS | ADMIN``,
``SIGNED_IN - PARTICIPANTS``, ``{CITIZEN} | HANDLERS``.

==============  =================================================================================
PUBLIC          all nine, the anonymous visitor included
SIGNED_IN       everyone with an account
VERIFIED        every account with a confirmed address
PARTICIPANTS    those taking part in this initiative: citizen, observer, professional, co_lead
HANDLERS        professional and co_lead: those who deliver the service with the people
CO_LEADS        co_lead
ADMIN           admin
NOBODY          none of the nine (the row's ``note`` says who may: a person the object names)
==============  =================================================================================

A **URL row** (``URLS``, keyed ``namespace:name``, or the route itself for a pattern without a
name) says how to fill the path from the world (``permission_world.World``) and who is allowed
each method: ``get=`` and ``post=`` (``None``: the view does not accept that method, and answers
405). Allowed means the answer is neither 401/403, nor 404, nor a redirect to the log-in page; a
posted form need not succeed (a 400 for missing fields is allowed). A redirect to log in after
the request did what it asked (it wrote its audit entry) is allowed too: a confirmation link
signs out whoever else is signed in, confirms, and asks to log in. Refused means 403, 404 (which
hides what one may not see) or a redirect to log in, with no audit entry written. ``data=``
gives the least a form needs for the view to reach its service's check; ``cases=`` lists further
POSTs of the same URL with other data and other allowed roles.

A **service row** (``SERVICES``, keyed by function name) says how to call the service with an
allowed actor (``build``, used by the services contract) and, in ``roles=``, which of the nine
roles may be that actor: each role is put in the actor's place, on the objects ``build`` made,
and the roles of the initiative those objects belong to. Allowed means no ``PermissionDenied``
(a ``ValidationError`` is fine: the permission was granted); refused means ``PermissionDenied``
with no audit entry written. A service that acts for its actor on something of theirs names the
arguments that take the role's own person in ``own=`` (``contribution_record`` records the
role's own hours).

Adding a URL or a service: add its row, and run ``pytest tests/test_permission_matrix.py -k
NAME``; a wrong cell fails with the role, the method and what came back.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from factories import OrganisationFactory, PersonFactory, ServiceFactory
from permission_world import (
    ANONYMOUS,
    CITIZEN,
    CO_LEAD,
    OBSERVER,
    OUTSIDER,
    PROFESSIONAL,
    ROLES,
    UNVERIFIED,
    World,
    active_initiative,
    administrator,
    budget,
    build_contribution_import,
    build_contribution_record,
    build_contribution_record_many,
    build_invitation_answer,
    build_milestone_add,
    build_paper_ballot_confirm,
    build_participation_change,
    build_person_confirm_email,
    build_person_update_profile,
    build_phase_update,
    build_shift_hours_confirm,
    build_shift_reminders_send,
    build_shift_signup_cancel,
    build_shift_signups_cancel_on_leave,
    build_timebank_transfer,
    build_valuation_rate_delete,
    category,
    choices,
    closed_budget,
    contribution,
    exchange,
    listing,
    member,
    proposal,
    service,
    service_request,
    shift,
    task,
    timebank,
    voting_budget,
)

Roles = frozenset[str]

PUBLIC: Roles = frozenset(ROLES)
SIGNED_IN: Roles = PUBLIC - {ANONYMOUS}
VERIFIED: Roles = SIGNED_IN - {UNVERIFIED}
PARTICIPANTS: Roles = frozenset({CITIZEN, OBSERVER, PROFESSIONAL, CO_LEAD})
HANDLERS: Roles = frozenset({PROFESSIONAL, CO_LEAD})
CO_LEADS: Roles = frozenset({CO_LEAD})
ADMIN: Roles = frozenset({"admin"})
NOBODY: Roles = frozenset()


# -- Services ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """How to call a service with an allowed actor, whom it must refuse, and which of the nine
    roles may be its actor.

    ``build`` returns keyword arguments (with the allowed actor under ``actor_arg``);
    ``refuses`` names the kinds of actor put in its place that must get PermissionDenied —
    empty when no permission applies, and ``why`` then says why. ``roles`` is the row of the
    matrix (``None`` only for a service with no actor); ``own`` names further arguments that
    take the role's own person, and ``theirs(kwargs, person)`` makes what was built the role's
    own in another way (an invitation sent to their address); ``note`` says who else may,
    beyond the nine roles.
    """

    build: Callable[[], dict]
    actor_arg: str = "actor"
    refuses: tuple[str, ...] = (ANONYMOUS, OUTSIDER)
    why: str = ""
    roles: Roles | None = None
    own: tuple[str, ...] = ()
    theirs: Callable[[dict, Any], None] | None = None
    note: str = ""


def _invitation_to(kwargs: dict, person: Any) -> None:
    """The invitation was sent to this person's address."""
    if person.is_authenticated:
        kwargs["invitation"].email = person.email
        kwargs["invitation"].save(update_fields=["email"])


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
        roles=PUBLIC,
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
    "person_update_profile": Row(
        build=build_person_update_profile, roles=ADMIN, note="and the person themself"
    ),
    "person_erase": Row(
        build=lambda: {"actor": (person := PersonFactory()), "person": person},
        roles=ADMIN,
        note="and the person themself; an administrator for someone who asks by letter",
    ),
    "organisation_create": Row(
        build=lambda: {
            "actor": administrator(),
            "name": "Tenants Together",
            "slug": "tenants-together",
            "sectors": ["third"],
        },
        roles=ADMIN,
    ),
    "membership_add": Row(
        build=lambda: {
            "actor": administrator(),
            "person": PersonFactory(),
            "organisation": OrganisationFactory(),
            "role": "staff",
        },
        roles=ADMIN,
        note="and the organisation's managers",
    ),
    # initiatives
    "service_create": Row(
        build=lambda: {
            "actor": administrator(),
            "name": "Fire prevention",
            "sector": "fire_rescue",
        },
        roles=ADMIN,
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
        },
        roles=ADMIN,
    ),
    "initiative_update": Row(
        build=lambda: dict(
            zip(("initiative", "actor"), active_initiative(), strict=True), title="Renamed"
        ),
        roles=CO_LEADS | ADMIN,
    ),
    "phase_update": Row(build=build_phase_update, roles=CO_LEADS | ADMIN),
    "participation_add": Row(
        build=lambda: {
            **_lead_of_new_initiative(role=CITIZEN, channel="admin")(),
            "person": PersonFactory(),
        },
        roles=CO_LEADS | ADMIN,
    ),
    "participation_remove": Row(build=build_participation_change, roles=CO_LEADS | ADMIN),
    "participation_change_role": Row(
        build=lambda: {**build_participation_change(), "role": PROFESSIONAL},
        roles=CO_LEADS | ADMIN,
    ),
    "initiative_join": Row(
        build=lambda: {"person": PersonFactory(), "initiative": active_initiative()[0]},
        actor_arg="person",
        refuses=(ANONYMOUS,),
        roles=SIGNED_IN,
    ),
    "participation_ensure": Row(
        build=lambda: {"person": PersonFactory(), "initiative": active_initiative()[0]},
        actor_arg="person",
        refuses=(ANONYMOUS,),
        roles=SIGNED_IN,
    ),
    "initiative_leave": Row(
        build=lambda: {
            "person": member(initiative := active_initiative()[0], CITIZEN),
            "initiative": initiative,
        },
        actor_arg="person",
        refuses=(ANONYMOUS,),
        roles=SIGNED_IN,
    ),
    "co_lead_invite": Row(
        build=_lead_of_new_initiative(email="lead2@example.org"), roles=CO_LEADS | ADMIN
    ),
    "co_lead_invitation_answer": Row(
        build=build_invitation_answer,
        actor_arg="person",
        roles=VERIFIED,
        theirs=_invitation_to,
        note="each role answering an invitation sent to their own address, with its token",
    ),
    # commissioning
    "budget_create": Row(
        build=_lead_of_new_initiative(
            title="Budget", slug="new-budget", areas=[("Riverside", Decimal("1000"))]
        ),
        roles=CO_LEADS | ADMIN,
    ),
    "budget_advance": Row(
        build=_with(budget, budget="obj", actor="actor", to_stage="proposals"),
        roles=CO_LEADS | ADMIN,
    ),
    "budget_set_rule": Row(
        build=_with(budget, budget="obj", actor="actor", rule="greedy"), roles=CO_LEADS | ADMIN
    ),
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
        roles=SIGNED_IN,
    ),
    "proposal_review": Row(
        build=lambda: dict(
            zip(("actor", "proposal"), proposal()[1:], strict=True),
            feasible=True,
            cost=Decimal("400"),
            reason="Checked with the parks team.",
        ),
        roles=HANDLERS | ADMIN,
    ),
    "census_upload": Row(
        build=_with(budget, budget="obj", actor="actor", data=b"email\nvoter@example.org\n"),
        roles=CO_LEADS | ADMIN,
    ),
    "ballot_cast": Row(
        build=lambda: {
            "voter": PersonFactory(),
            "budget": (made := voting_budget())[0],
            "choices": choices(made[2].code),
        },
        actor_arg="voter",
        refuses=(ANONYMOUS,),
        roles=VERIFIED,
    ),
    "paper_ballot_enter": Row(
        build=lambda: {
            "official": (made := voting_budget())[1],
            "budget": made[0],
            "choices": choices(made[2].code),
        },
        actor_arg="official",
        roles=HANDLERS | ADMIN,
    ),
    "paper_ballot_confirm": Row(
        build=build_paper_ballot_confirm,
        actor_arg="official",
        roles=HANDLERS | ADMIN,
        note="never the official who entered the ballot",
    ),
    "budget_tally": Row(
        build=lambda: dict(zip(("budget", "actor"), closed_budget()[:2], strict=True)),
        roles=CO_LEADS | ADMIN,
    ),
    "milestone_add": Row(build=build_milestone_add, roles=CO_LEADS | ADMIN),
    # co-delivery: tasks and shifts
    "requirement_create": Row(
        build=_lead_of_new_initiative(name="First aid"), roles=CO_LEADS | ADMIN
    ),
    "requirement_confirm": Row(
        build=lambda: {
            "actor": (made := active_initiative())[1],
            "requirement": service("requirement_create")(
                actor=made[1], initiative=made[0], name="First aid"
            ),
            "person": member(made[0], CITIZEN),
        },
        roles=HANDLERS | ADMIN,
    ),
    "task_create": Row(
        build=_lead_of_new_initiative(title="Litter pick", description="River."),
        roles=CO_LEADS | ADMIN,
    ),
    "task_update": Row(
        build=_with(task, task="obj", actor="actor", title="Litter pick (2)"),
        roles=CO_LEADS | ADMIN,
    ),
    "shift_create": Row(
        build=lambda: {
            "actor": (made := task())[1],
            "task": made[0],
            "starts_at": timezone.now() + dt.timedelta(days=1),
            "ends_at": timezone.now() + dt.timedelta(days=1, hours=2),
            "capacity": 2,
        },
        roles=CO_LEADS | ADMIN,
    ),
    "shift_update": Row(
        build=lambda: {
            "actor": (made := shift())[1],
            "shift": made[0],
            "starts_at": made[0].starts_at,
            "ends_at": made[0].ends_at,
            "capacity": 5,
        },
        roles=CO_LEADS | ADMIN,
    ),
    "shift_sign_up": Row(
        build=lambda: {
            "shift": (made := shift()[0]),
            "person": member(made.task.initiative, CITIZEN),
        },
        actor_arg="person",
        refuses=(ANONYMOUS,),
        roles=SIGNED_IN,
    ),
    "shift_signup_cancel": Row(
        build=build_shift_signup_cancel,
        roles=CO_LEADS | ADMIN,
        note="and the person signed up, and the shift's professional",
    ),
    "shift_signups_cancel_on_leave": Row(
        build=build_shift_signups_cancel_on_leave,
        roles=CO_LEADS | ADMIN,
        note="and the person themself, as they leave",
    ),
    "shift_hours_confirm": Row(
        build=build_shift_hours_confirm, roles=CO_LEADS | ADMIN, note="and the shift's professional"
    ),
    "shift_reminders_send": Row(
        build=build_shift_reminders_send,
        actor_arg="",
        refuses=(),
        why="a scheduled job: the system acts, no person",
    ),
    "calendar_feed_for": Row(
        build=lambda: {"person": PersonFactory()},
        actor_arg="person",
        refuses=(ANONYMOUS,),
        roles=SIGNED_IN,
    ),
    "calendar_feed_reset": Row(
        build=lambda: {"person": PersonFactory()},
        actor_arg="person",
        refuses=(ANONYMOUS,),
        roles=SIGNED_IN,
    ),
    # co-delivery: the ledger
    "contribution_record": Row(build=build_contribution_record, roles=VERIFIED, own=("person",)),
    "contribution_record_many": Row(build=build_contribution_record_many, roles=CO_LEADS | ADMIN),
    "contribution_import": Row(build=build_contribution_import, roles=CO_LEADS | ADMIN),
    "contribution_confirm": Row(
        build=_with(contribution, contribution="obj", actor="actor"),
        roles=CO_LEADS | ADMIN,
        note="and the professional who supervised it; never the contributor",
    ),
    "contribution_confirm_bulk": Row(
        build=_lead_of_new_initiative(), roles=CO_LEADS | ADMIN, note="never for their own entries"
    ),
    "contribution_dispute": Row(
        build=_with(contribution, contribution="obj", actor="actor", reason="Not that day."),
        roles=CO_LEADS | ADMIN,
        note="and the professional who supervised it; never the contributor",
    ),
    "contribution_withdraw": Row(
        build=lambda: {"contribution": (made := contribution()[0]), "actor": made.person},
        roles=NOBODY,
        note="the contributor only",
    ),
    "contribution_correct": Row(
        build=lambda: {
            "contribution": (made := contribution(confirmed=True))[0],
            "actor": made[1],
            "reason": "One hour, not two.",
            "quantity": "1",
        },
        roles=CO_LEADS | ADMIN,
        note="and the professional who supervised it; never the contributor",
    ),
    "ledger_settings_update": Row(
        build=_lead_of_new_initiative(currency="GBP"), roles=CO_LEADS | ADMIN
    ),
    "valuation_rate_set": Row(
        build=_lead_of_new_initiative(kind="time", work_type="", amount=Decimal("15")),
        roles=CO_LEADS | ADMIN,
    ),
    "valuation_rate_delete": Row(build=build_valuation_rate_delete, roles=CO_LEADS | ADMIN),
    # co-delivery: the timebank
    "timebank_open": Row(build=_lead_of_new_initiative(), roles=CO_LEADS | ADMIN),
    "timebank_update": Row(
        build=_with(
            timebank,
            timebank="obj",
            actor="actor",
            min_balance=Decimal("-5"),
            max_balance=Decimal("20"),
            is_active=True,
        ),
        roles=CO_LEADS | ADMIN,
    ),
    "timebank_account_open": Row(
        build=lambda: {
            "timebank": (bank := timebank()[0]),
            "person": member(bank.initiative, CITIZEN),
        },
        actor_arg="person",
        refuses=(ANONYMOUS,),
        roles=SIGNED_IN,
    ),
    "timebank_transfer": Row(build=build_timebank_transfer, roles=CO_LEADS | ADMIN),
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
        roles=SIGNED_IN,
    ),
    "listing_close": Row(
        build=lambda: {"listing": (made := listing()[0]), "actor": made.account.person},
        roles=CO_LEADS | ADMIN,
        note="and the member who listed it",
    ),
    "exchange_propose": Row(
        build=lambda: {
            "listing": (made := listing()[0]),
            "actor": member(made.timebank.initiative, CITIZEN),
            "hours": "1",
        },
        refuses=(ANONYMOUS,),
        roles=SIGNED_IN,
    ),
    "exchange_complete": Row(
        build=_with(exchange, exchange="obj", actor="actor"),
        roles=CO_LEADS | ADMIN,
        note="and the member who received the help",
    ),
    "exchange_cancel": Row(
        build=_with(exchange, exchange="obj", actor="actor"),
        roles=CO_LEADS | ADMIN,
        note="and either member of the exchange",
    ),
    # co-delivery: service requests
    "request_category_create": Row(
        build=_lead_of_new_initiative(code="potholes", name="Holes"), roles=CO_LEADS | ADMIN
    ),
    "service_request_create": Row(
        build=lambda: {
            "category": category()[0],
            "description": "A broken bench.",
            "address": "2 River Street",
        },
        actor_arg="reporter",
        refuses=(),
        why="anyone may report a problem, without an account (Open311)",
        roles=PUBLIC,
    ),
    "service_request_pick_up": Row(
        build=_with(service_request, request="obj", actor="actor"), roles=HANDLERS | ADMIN
    ),
    "service_request_update": Row(
        build=_with(service_request, request="obj", actor="actor", status="closed", note="Fixed."),
        roles=HANDLERS | ADMIN,
        note="and the person it is assigned to",
    ),
    "service_request_comment": Row(
        build=_with(service_request, request="obj", actor="actor", note="Still there today."),
        roles=HANDLERS | ADMIN,
        note="and the person who reported it, and the person it is assigned to",
    ),
    "service_request_contacts_erase_expired": Row(
        build=lambda: {},
        actor_arg="",
        refuses=(),
        why="a scheduled job: the system acts, no person",
    ),
    "api_key_issue": Row(build=lambda: {"actor": administrator(), "name": "City app"}, roles=ADMIN),
}


# -- URLs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A further POST to a URL, with other data and other allowed roles."""

    label: str
    data: Callable[[World], dict]
    roles: Roles


@dataclass(frozen=True)
class Url:
    """How to fill a URL's path from the world (its path parameters; for a route without a
    name, the address itself), and who may GET and POST it (``None``: the view does not accept
    the method)."""

    path: Callable[[World], dict | str]
    get: Roles | None
    post: Roles | None = None
    data: Callable[[World], dict] = field(default=lambda world: {})
    cases: tuple[Case, ...] = ()
    note: str = ""


def _initiative(world: World) -> dict:
    return {"slug": world.initiative.slug}


def _in_initiative(name: str) -> Callable[[World], dict]:
    """The path of something of the world's initiative (``world.<name>``), by its id."""
    return lambda world: {"slug": world.initiative.slug, "pk": getattr(world, name).pk}


def _budget(name: str = "budget", **more: Callable[[World], Any]) -> Callable[[World], dict]:
    def path(world: World) -> dict:
        made = getattr(world, name)
        extra = {key: value(world) for key, value in more.items()}
        return {"initiative_slug": world.initiative.slug, "slug": made.slug, **extra}

    return path


def _nothing(world: World) -> dict:
    return {}


def _format(world: World) -> dict:
    return {"fmt": "json"}


URLS: dict[str, Url] = {
    # The site
    "home": Url(_nothing, get=PUBLIC),
    "set_language": Url(_nothing, get=PUBLIC, post=PUBLIC, data=lambda world: {"language": "fr"}),
    # People: the profile and the privacy rights
    "people:profile": Url(_nothing, get=SIGNED_IN, post=SIGNED_IN),
    "people:my_data": Url(_nothing, get=SIGNED_IN),
    "people:my_data_download": Url(_nothing, get=SIGNED_IN, note="each person's own data only"),
    "people:delete_account": Url(
        _nothing, get=SIGNED_IN, post=SIGNED_IN, note="each person's own account only"
    ),
    # Accounts (django-allauth, ADR 0006)
    "account_signup": Url(_nothing, get=PUBLIC, post=PUBLIC),
    "account_login": Url(_nothing, get=PUBLIC, post=PUBLIC),
    "account_logout": Url(_nothing, get=PUBLIC, post=PUBLIC),
    "account_inactive": Url(_nothing, get=PUBLIC),
    "account_email_verification_sent": Url(_nothing, get=PUBLIC),
    "account_confirm_email": Url(
        lambda world: {"key": world.confirm_key},
        get=PUBLIC,
        post=PUBLIC,
        note="the key emailed to the address is the proof, whoever follows the link",
    ),
    "account_email": Url(_nothing, get=SIGNED_IN, post=SIGNED_IN),
    "account_change_password": Url(_nothing, get=SIGNED_IN, post=SIGNED_IN),
    "account_set_password": Url(_nothing, get=SIGNED_IN, post=SIGNED_IN),
    "account_reauthenticate": Url(_nothing, get=SIGNED_IN, post=SIGNED_IN),
    "account_request_reauthentication_code": Url(_nothing, get=SIGNED_IN, post=SIGNED_IN),
    "account_confirm_reauthentication_code": Url(_nothing, get=SIGNED_IN, post=SIGNED_IN),
    "account_confirm_login_code": Url(
        _nothing,
        get=SIGNED_IN,
        post=SIGNED_IN,
        note="log-in by emailed code is off: the visitor is sent to the log-in page, a person "
        "already signed in on to their initiatives",
    ),
    "account_reset_password": Url(_nothing, get=PUBLIC, post=PUBLIC),
    "account_reset_password_done": Url(_nothing, get=PUBLIC),
    "account_reset_password_from_key": Url(
        lambda world: world.reset_key,
        get=PUBLIC,
        post=PUBLIC,
        note="the key emailed to the citizen is the proof, whoever follows the link",
    ),
    "account_reset_password_from_key_done": Url(_nothing, get=PUBLIC),
    # Initiatives
    "initiatives:list": Url(_nothing, get=PUBLIC),
    "initiatives:mine": Url(_nothing, get=SIGNED_IN),
    "initiatives:invitation": Url(
        lambda world: {"token": world.invitation.token},
        get={CITIZEN},
        post={CITIZEN},
        note="the invitee only, once their address is confirmed (here the citizen)",
    ),
    "initiatives:detail": Url(_initiative, get=PUBLIC),
    "initiatives:edit": Url(_initiative, get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "initiatives:invite": Url(_initiative, get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "initiatives:join": Url(_initiative, get=None, post=SIGNED_IN),
    "initiatives:leave": Url(_initiative, get=SIGNED_IN, post=SIGNED_IN),
    # Co-delivery: tasks, shifts, calendars
    "delivery:my_shifts": Url(_nothing, get=SIGNED_IN),
    "delivery:calendar_reset": Url(_nothing, get=None, post=SIGNED_IN),
    "delivery:person_calendar": Url(
        lambda world: {"token": world.calendar_token},
        get=PUBLIC,
        note="the secret address is the credential: calendar apps cannot sign in",
    ),
    "delivery:overview": Url(_initiative, get=PUBLIC),
    "delivery:tasks": Url(_initiative, get=PUBLIC),
    "delivery:task_create": Url(_initiative, get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "delivery:task": Url(_in_initiative("task"), get=PUBLIC),
    "delivery:task_edit": Url(_in_initiative("task"), get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "delivery:shift_create": Url(
        _in_initiative("task"), get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN
    ),
    "delivery:shift": Url(_in_initiative("shift"), get=PUBLIC),
    "delivery:shift_edit": Url(
        _in_initiative("shift"), get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN
    ),
    "delivery:shift_sign_up": Url(_in_initiative("shift"), get=None, post=SIGNED_IN),
    "delivery:signup_cancel": Url(
        _in_initiative("signup"),
        get=None,
        post={CITIZEN} | HANDLERS | ADMIN,
        note="the citizen's sign-up, to a shift the professional supervises",
    ),
    "delivery:signup_hours": Url(_in_initiative("signup"), get=None, post=HANDLERS | ADMIN),
    "delivery:map": Url(_initiative, get=PUBLIC),
    "delivery:initiative_calendar": Url(_initiative, get=PUBLIC),
    "delivery:my_initiative_shifts": Url(_initiative, get=SIGNED_IN),
    "delivery:requirements": Url(_initiative, get=HANDLERS | ADMIN, post=HANDLERS | ADMIN),
    # The contributions ledger
    "ledger:contributions": Url(_initiative, get=PUBLIC),
    "ledger:my_contributions": Url(_initiative, get=SIGNED_IN),
    "ledger:contribution_create": Url(
        _initiative,
        get=SIGNED_IN,
        post=VERIFIED,
        data=lambda world: {
            "kind": "time",
            "quantity": "1",
            "occurred_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "capacity": "citizen",
        },
        note="their own hours, once their address is confirmed; a co-lead may also record "
        "someone else's",
    ),
    "ledger:ledger": Url(_initiative, get=CO_LEADS | ADMIN),
    "ledger:contribution_confirm_all": Url(_initiative, get=None, post=CO_LEADS | ADMIN),
    "ledger:contribution_import": Url(_initiative, get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "ledger:rates": Url(_initiative, get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "ledger:contribution": Url(_in_initiative("contribution"), get={CITIZEN} | CO_LEADS | ADMIN),
    "ledger:contribution_confirm": Url(
        _in_initiative("contribution"), get=None, post=CO_LEADS | ADMIN
    ),
    "ledger:contribution_dispute": Url(
        _in_initiative("contribution"), get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN
    ),
    "ledger:contribution_withdraw": Url(_in_initiative("contribution"), get=None, post={CITIZEN}),
    "ledger:contribution_correct": Url(
        _in_initiative("contribution"), get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN
    ),
    # The timebank
    "timebank:timebank": Url(_initiative, get=PUBLIC),
    "timebank:timebank_settings": Url(_initiative, get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "timebank:listing_create": Url(
        _initiative,
        get=SIGNED_IN,
        post=SIGNED_IN,
        data=lambda world: {"kind": "request", "category": "repairs", "title": "A shelf"},
    ),
    "timebank:listing": Url(
        _in_initiative("listing"),
        get=PUBLIC,
        post=SIGNED_IN,
        data=lambda world: {"hours": "1"},
    ),
    "timebank:listing_close": Url(
        _in_initiative("listing"), get=None, post={CITIZEN} | CO_LEADS | ADMIN
    ),
    "timebank:exchange_complete": Url(
        _in_initiative("exchange"), get=None, post={OBSERVER} | CO_LEADS | ADMIN
    ),
    "timebank:exchange_cancel": Url(
        _in_initiative("exchange"), get=None, post={CITIZEN, OBSERVER} | CO_LEADS | ADMIN
    ),
    "timebank:timebank_account": Url(_initiative, get=SIGNED_IN),
    "timebank:timebank_accounts": Url(_initiative, get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "timebank:timebank_account_of": Url(
        _in_initiative("account"), get={CITIZEN} | CO_LEADS | ADMIN
    ),
    # Service requests
    "service_requests:requests": Url(_initiative, get=PUBLIC),
    "service_requests:request_choose": Url(_initiative, get=SIGNED_IN),
    "service_requests:request_create": Url(
        lambda world: {"slug": world.initiative.slug, "code": world.category.code},
        get=SIGNED_IN,
        post=SIGNED_IN,
        data=lambda world: {"description": "A broken bench.", "address": "2 River Street"},
    ),
    "service_requests:request_categories": Url(
        _initiative, get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN
    ),
    "service_requests:request": Url(
        _in_initiative("request"),
        get=PUBLIC,
        post=HANDLERS | ADMIN,
        cases=(Case("comment", lambda world: {"action": "comment"}, {CITIZEN} | HANDLERS | ADMIN),),
    ),
    "service_requests:request_pick_up": Url(
        _in_initiative("request"), get=None, post=HANDLERS | ADMIN
    ),
    "service_requests:request_photo": Url(_in_initiative("request"), get=PUBLIC),
    # Participatory budgets
    "commissioning:list": Url(_nothing, get=PUBLIC),
    "commissioning:create": Url(
        lambda world: {"initiative_slug": world.initiative.slug},
        get=CO_LEADS | ADMIN,
        post=CO_LEADS | ADMIN,
    ),
    "commissioning:import": Url(
        lambda world: {"initiative_slug": world.initiative.slug},
        get=CO_LEADS | ADMIN,
        post=CO_LEADS | ADMIN,
    ),
    "commissioning:detail": Url(_budget(), get=PUBLIC),
    "commissioning:advance": Url(_budget(), get=None, post=CO_LEADS | ADMIN),
    "commissioning:propose": Url(
        _budget("ideas"),
        get=SIGNED_IN,
        post=SIGNED_IN,
        data=lambda world: {
            "area": world.ideas.areas.get().pk,
            "title": "Trees",
            "description": "Trees on the square.",
            "estimated_cost": "300",
        },
    ),
    "commissioning:proposal": Url(
        _budget("ideas", code=lambda world: world.ideas.proposals.get().code),
        get=PUBLIC,
        post=HANDLERS | ADMIN,
        data=lambda world: {"form": "review"},
        cases=(Case("milestone", lambda world: {"form": "milestone"}, CO_LEADS | ADMIN),),
    ),
    "commissioning:vote": Url(
        _budget(),
        get=SIGNED_IN,
        post=VERIFIED,
        data=lambda world: {"project": [world.budget.proposals.get().code]},
    ),
    "commissioning:receipt": Url(_budget(), get=PUBLIC),
    "commissioning:paper": Url(_budget(), get=HANDLERS | ADMIN, post=HANDLERS | ADMIN),
    "commissioning:census": Url(_budget(), get=CO_LEADS | ADMIN, post=CO_LEADS | ADMIN),
    "commissioning:results": Url(_budget("published"), get=PUBLIC),
    "commissioning:milestone_photo": Url(
        _budget("published", pk=lambda world: world.milestone.pk), get=PUBLIC
    ),
    "commissioning:export": Url(_budget("published"), get=PUBLIC),
    # The account pages before django-allauth served them answer with a permanent redirect
    "people/log-in/": Url(
        lambda world: "/people/log-in/",
        get=NOBODY,
        post=NOBODY,
        note="a permanent redirect to the log-in page (/people/login/), for everyone",
    ),
    "people/log-out/": Url(lambda world: "/people/log-out/", get=PUBLIC, post=PUBLIC),
    "people/sign-up/": Url(lambda world: "/people/sign-up/", get=PUBLIC, post=PUBLIC),
    "^people/confirm/[^/]+/$": Url(
        lambda world: "/people/confirm/an-old-link/", get=PUBLIC, post=PUBLIC
    ),
    # The first layout's addresses answer with a permanent redirect (ADR 0004)
    "budgets/new/<slug:initiative_slug>/": Url(
        lambda world: f"/budgets/new/{world.initiative.slug}/", get=PUBLIC, post=PUBLIC
    ),
    "budgets/import/<slug:initiative_slug>/": Url(
        lambda world: f"/budgets/import/{world.initiative.slug}/", get=PUBLIC, post=PUBLIC
    ),
    "budgets/<slug:slug>/": Url(
        lambda world: f"/budgets/{world.budget.slug}/", get=PUBLIC, post=PUBLIC
    ),
    "budgets/<slug:slug>/<path:rest>": Url(
        lambda world: f"/budgets/{world.budget.slug}/vote/", get=PUBLIC, post=PUBLIC
    ),
    "^delivery/(?P<rest>my-shifts/.*)$": Url(
        lambda world: "/delivery/my-shifts/", get=PUBLIC, post=PUBLIC
    ),
    "^delivery/(?P<rest>calendar/[^/]+\\.ics)$": Url(
        lambda world: f"/delivery/calendar/{world.calendar_token}.ics", get=PUBLIC, post=PUBLIC
    ),
    "^delivery/(?P<slug>[-\\w]+)/$": Url(
        lambda world: f"/delivery/{world.initiative.slug}/", get=PUBLIC, post=PUBLIC
    ),
    "^delivery/(?P<slug>[-\\w]+)/(?P<rest>.+)$": Url(
        lambda world: f"/delivery/{world.initiative.slug}/tasks/", get=PUBLIC, post=PUBLIC
    ),
    # Open311 GeoReport v2: public, as the specification has it; posting a request needs a key
    "open311:discovery": Url(_format, get=PUBLIC),
    "open311:services": Url(_format, get=PUBLIC),
    "open311:service": Url(lambda world: {"fmt": "json", "code": world.category.code}, get=PUBLIC),
    "open311:requests": Url(
        _format,
        get=PUBLIC,
        post=PUBLIC,
        data=lambda world: {"api_key": world.api_key},
        cases=(Case("without an API key", lambda world: {}, NOBODY),),
        note="posting a request takes an API key, whoever is signed in",
    ),
    "open311:request": Url(
        lambda world: {"fmt": "json", "request_id": str(world.request.pk)}, get=PUBLIC
    ),
    "open311:token": Url(lambda world: {"fmt": "json", "token": world.request.token}, get=PUBLIC),
    "open311/v2/^(?P<rest>.*)$": Url(
        lambda world: "/open311/v2/nothing-here.json",
        get=NOBODY,
        post=NOBODY,
        note="any address under /open311/v2/ that names no endpoint: 404 for everyone",
    ),
}

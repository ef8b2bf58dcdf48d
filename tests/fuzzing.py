"""Shared pieces of the fuzz tests: a small world with one object of every kind a URL can name,
generated junk (hypothesis strategies), and a fingerprint of the database to tell that a refused
request changed nothing.

The world is built through the services, as people would build it, so that every page the fuzz
tests reach shows real data.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import connection
from django.utils import timezone
from hypothesis import strategies as st

from coproduce.commissioning import services as budgets
from coproduce.commissioning.models import Budget, Milestone
from coproduce.delivery import services as delivery
from coproduce.delivery.models import ShiftSignup
from coproduce.initiatives import services as initiatives
from coproduce.initiatives.models import Participation
from coproduce.ledger import services as ledger
from coproduce.service_requests import services as requests
from coproduce.timebank import services as timebank
from coproduce.timebank.models import TimebankAccount
from factories import (
    ApiKeyFactory,
    InitiativeFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    ShiftFactory,
    TaskFactory,
    add_project,
)

#: Junk that has broken pages before, or could: numbers past every column's range, numbers that
#: are not ASCII, impossible dates, text that is not text, and a megabyte.
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "1.5",
    "1e400",
    "-1e400",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(2**64 + 5),
    "99999999999999",
    "9" * 40,
    "²",
    "١٢٣",
    "𝟗",
    "0x1F",
    "1_000",
    "2026-13-45",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "2026-13-45T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%s%s%n",
    "\u202e\ufeff",
    "x" * 300,
]
MEGABYTE = "9" * (1 << 20)

#: What stands after a path parameter's preceding segment: the world object it names.
SEGMENT_OBJECTS = {
    "initiatives": "initiative",
    "budgets": "budget",
    "projects": "proposal",
    "new": "category",
    "tasks": "task",
    "shifts": "shift",
    "sign-ups": "signup",
    "contributions": "contribution",
    "requests": "report",
    "listings": "listing",
    "exchanges": "exchange",
    "accounts": "account",
    "invitations": "invitation",
    "calendar": "feed",
    "services": "category",
    "tokens": "report_token",
    "milestones": "milestone",
}


@dataclass
class World:
    co_lead: object
    citizen: object
    professional: object
    objects: dict[str, object] = field(default_factory=dict)
    baseline: tuple[int, ...] = ()

    def value(self, kind: str) -> str:
        """The URL text that names this world object."""
        thing = self.objects[kind]
        if isinstance(thing, str):
            return thing
        for attribute in ("slug", "code"):
            if kind in ("initiative", "budget", "proposal", "category") and hasattr(
                thing, attribute
            ):
                return str(getattr(thing, attribute))
        return str(thing.pk)


def build_world() -> World:
    """One initiative using every component, with an object of each kind a URL names."""
    initiative = InitiativeFactory(slug="fuzz-town", title="Fuzz town")
    co_lead = ParticipationFactory(
        initiative=initiative, role=Participation.Role.CO_LEAD, channel="founder"
    ).person
    citizen = ParticipationFactory(initiative=initiative, role=Participation.Role.CITIZEN).person
    professional = ParticipationFactory(
        initiative=initiative, role=Participation.Role.PROFESSIONAL
    ).person
    MembershipFactory(person=professional, organisation=OrganisationFactory(name="City Council"))
    world = World(co_lead=co_lead, citizen=citizen, professional=professional)
    task = TaskFactory(initiative=initiative, title="Home safety visit", work_type="home visit")
    shift = ShiftFactory(task=task, capacity=3, professional=professional)
    signup = delivery.shift_sign_up(person=citizen, shift=shift)
    delivery.requirement_create(actor=co_lead, initiative=initiative, name="First aid")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    contribution = ledger.contribution_record(
        actor=citizen,
        initiative=initiative,
        person=citizen,
        kind="time",
        quantity=Decimal("2"),
        occurred_on=yesterday,
    )
    ledger.valuation_rate_set(
        actor=co_lead, initiative=initiative, kind="time", work_type="", amount=Decimal("15")
    )
    category = requests.request_category_create(
        actor=co_lead,
        initiative=initiative,
        code="pothole",
        name="Pothole",
        attributes=[
            {"code": "depth", "description": "How deep?", "datatype": "number"},
            {"code": "seen", "description": "Seen when?", "datatype": "datetime"},
        ],
    )
    report = requests.service_request_create(
        category=category, description="A deep hole", reporter=citizen, address="1 Main Street"
    )
    ApiKeyFactory(key="fuzz-key")
    bank = timebank.timebank_open(actor=co_lead, initiative=initiative)
    listing = timebank.listing_create(
        person=citizen, timebank=bank, kind="offer", category="gardening", title="Weeding"
    )
    exchange = timebank.exchange_propose(actor=co_lead, listing=listing, hours=Decimal("1"))
    budget = _voting_budget(initiative, co_lead, citizen, professional)
    invitation = initiatives.co_lead_invite(
        actor=co_lead, initiative=initiative, email="invited@example.org"
    )
    world.objects.update(
        initiative=initiative,
        task=task,
        shift=shift,
        signup=signup,
        contribution=contribution,
        category=category,
        report=report,
        report_token=report.token,
        listing=listing,
        exchange=exchange,
        account=TimebankAccount.objects.get(timebank=bank, person=citizen),
        budget=budget,
        proposal=budget.proposals.order_by("code").first(),
        milestone=Milestone.objects.create(
            proposal=budget.proposals.order_by("code").first(), title="Benches ordered"
        ),
        invitation=invitation.token,
        feed=delivery.calendar_feed_for(person=citizen).token,
    )
    assert ShiftSignup.objects.filter(pk=signup.pk).exists()
    return world


def _voting_budget(initiative, co_lead, citizen, professional) -> Budget:
    budget = budgets.budget_create(
        actor=co_lead,
        initiative=initiative,
        title="Fuzz budget",
        slug="fuzz-budget",
        areas=[("Centre", Decimal("100000"))],
        stage=Budget.Stage.PROPOSALS,
        eligibility=Budget.Eligibility.ANYONE,
    )
    for title, cost in [("Benches", 30000), ("Trees", 50000)]:
        add_project(budget, citizen, "Centre", title, cost)
    for proposal in budget.proposals.all():
        budgets.proposal_review(
            actor=professional,
            proposal=proposal,
            feasible=True,
            cost=proposal.estimated_cost,
            reason="Checked.",
        )
    budgets.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.REVIEW)
    budgets.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.VOTING)
    budget.refresh_from_db()
    return budget


def fingerprint() -> tuple[int, ...]:
    """The row count of every table of the project's own models (the audit log among them), in
    one query: a refused request must leave every count as it was."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model.__module__.startswith("coproduce.") and model._meta.managed
        }
    )
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


# Strategies -------------------------------------------------------------------------------------

numbers = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
)
unicode_digits = st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=25)
impossible_dates = st.builds(
    "{:04d}-{:02d}-{:02d}{}".format,
    st.integers(0, 99999),
    st.integers(0, 99),
    st.integers(0, 99),
    st.sampled_from(["", "T00:00:00Z", "T25:61:61", " 12:00", "T00:00:00+99:00"]),
)
junk_text = st.one_of(
    st.sampled_from(NASTY),
    numbers,
    unicode_digits,
    impossible_dates,
    st.text(max_size=40),
    st.just(MEGABYTE),
)

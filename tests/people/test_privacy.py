"""Privacy rights: a person downloads every record about them, and deletes their account so that
their personal data goes while what others rely on (results, totals, balances, the audit chain)
stays exactly as it was."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.commissioning import services as budgets
from coproduce.commissioning.models import Budget, CensusEntry
from coproduce.commissioning.tally import tally_area
from coproduce.delivery import services as delivery
from coproduce.delivery.models import CalendarFeed, ShiftSignup
from coproduce.initiatives import services as initiatives
from coproduce.initiatives.models import CoLeadInvitation, Participation
from coproduce.ledger import services as ledger
from coproduce.ledger.selectors import contribution_totals
from coproduce.people import personal_data
from coproduce.people.models import Membership, Person
from coproduce.people.services import person_erase
from coproduce.service_requests import services as requests
from coproduce.service_requests.models import ServiceRequest
from coproduce.timebank import services as timebank
from coproduce.timebank.models import Listing, TimebankAccount
from coproduce.timebank.selectors import timebank_check
from factories import (
    PASSWORD,
    InitiativeFactory,
    MembershipFactory,
    ParticipationFactory,
    PersonFactory,
    RequestCategoryFactory,
)

ALICE = {
    "email": "alice@example.org",
    "display_name": "Alice Liddell",
    "area": "Riverside",
    "bio": "I grow tomatoes on Station Road.",
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class World:
    """One initiative where Alice has done a bit of everything, beside Bob and Carol."""

    def __init__(self) -> None:
        self.initiative = InitiativeFactory(phases={"commission": "open", "deliver": "open"})
        self.lead = ParticipationFactory(
            initiative=self.initiative, role=Participation.Role.CO_LEAD
        ).person
        self.alice = PersonFactory(**ALICE)
        EmailAddress.objects.create(
            user=self.alice, email=ALICE["email"], verified=True, primary=True
        )
        self.bob, self.carol = PersonFactory(), PersonFactory()
        for person in (self.alice, self.bob, self.carol):
            ParticipationFactory(initiative=self.initiative, person=person)
        MembershipFactory(person=self.alice)
        self._vote()
        self._contribute()
        self._shift()
        self._timebank()
        self.report = requests.service_request_create(
            category=RequestCategoryFactory(initiative=self.initiative),
            reporter=self.alice,
            description="Bags left by the bins.",
            address="1 River Street",
            contact_name="Alice Liddell",
            contact_email="alice@example.org",
            contact_phone="+44 20 7946 0001",
            device_id="alice-phone",
        )
        initiatives.co_lead_invite(
            actor=self.lead, initiative=self.initiative, email="alice@example.org"
        )
        delivery.calendar_feed_for(person=self.alice)

    def _vote(self) -> None:
        self.budget = budgets.budget_create(
            actor=self.lead,
            initiative=self.initiative,
            title="Riverside budget",
            slug="riverside",
            areas=[("Riverside", Decimal("100"))],
            eligibility=Budget.Eligibility.ANYONE,
            stage=Budget.Stage.PROPOSALS,
        )
        area = self.budget.areas.get()
        for title, cost in [("Benches", "60"), ("Trees", "50"), ("Lights", "40")]:
            proposal = budgets.proposal_submit(
                actor=self.alice,
                budget=self.budget,
                area=area,
                title=title,
                description=f"{title} by the river.",
                estimated_cost=Decimal(cost),
            )
            budgets.proposal_review(
                actor=self.lead, proposal=proposal, feasible=True, cost=Decimal(cost), reason="OK"
            )
        budgets.budget_advance(actor=self.lead, budget=self.budget, to_stage="review")
        budgets.budget_advance(actor=self.lead, budget=self.budget, to_stage="voting")
        codes = {p.title: p.code for p in self.budget.proposals.all()}
        for voter, titles in [
            (self.alice, ["Benches", "Lights"]),
            (self.bob, ["Trees"]),
            (self.carol, ["Benches"]),
        ]:
            choices = budgets.Choices(approvals=frozenset(codes[t] for t in titles))
            budgets.ballot_cast(voter=voter, budget=self.budget, choices=choices)
        budgets.budget_advance(actor=self.lead, budget=self.budget, to_stage="closed")
        CensusEntry.objects.create(budget=self.budget, email="alice@example.org", area="Riverside")

    def _contribute(self) -> None:
        day = timezone.localdate() - dt.timedelta(days=1)
        for person, hours in [(self.alice, "3"), (self.bob, "2")]:
            entry = ledger.contribution_record(
                actor=person,
                initiative=self.initiative,
                person=person,
                kind="time",
                quantity=hours,
                occurred_on=day,
            )
            ledger.contribution_confirm(actor=self.lead, contribution=entry)

    def _shift(self) -> None:
        task = delivery.task_create(
            actor=self.lead, initiative=self.initiative, title="Litter pick", description="River."
        )
        starts = timezone.now() + dt.timedelta(days=2)
        self.shift = delivery.shift_create(
            actor=self.lead,
            task=task,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            capacity=1,
        )
        self.alice_signup = delivery.shift_sign_up(person=self.alice, shift=self.shift)
        self.bob_signup = delivery.shift_sign_up(person=self.bob, shift=self.shift)

    def _timebank(self) -> None:
        self.bank = timebank.timebank_open(actor=self.lead, initiative=self.initiative)
        offer = timebank.listing_create(
            person=self.alice,
            timebank=self.bank,
            kind="offer",
            category="gardening",
            title="Weeding",
        )
        exchange = timebank.exchange_propose(actor=self.bob, listing=offer, hours="2")
        timebank.exchange_complete(actor=self.bob, exchange=exchange)
        self.waiting = timebank.exchange_propose(actor=self.carol, listing=offer, hours="1")

    def results(self) -> list[tuple]:
        return [
            (outcome.selected, outcome.total_cost, outcome.ballots_counted)
            for outcome in (tally_area(self.budget, area) for area in self.budget.areas.all())
        ]

    def totals(self) -> tuple:
        totals = contribution_totals(self.initiative)
        return (totals.total, [(k.kind, k.quantity, k.value) for k in totals.by_kind])

    def balances(self) -> dict[int, Decimal]:
        return dict(TimebankAccount.objects.values_list("pk", "balance"))


@pytest.fixture
def world(db) -> World:
    return World()


def download(client, person) -> dict:
    client.force_login(person)
    response = client.get(reverse("people:my_data_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    return json.loads(response.content)


def test_the_download_holds_every_record_about_the_person_and_none_about_others(client, world):
    data = download(client, world.alice)
    records = data["records"]
    assert records["profile"][0]["email"] == "alice@example.org"
    assert records["profile"][0]["bio"] == ALICE["bio"]
    assert [a["email"] for a in records["email_addresses"]] == ["alice@example.org"]
    assert len(records["memberships"]) == 1
    assert [p["initiative_id"] for p in records["participations"]] == [world.initiative.pk]
    (ballot,) = records["ballots"]
    assert ballot["receipt"] == world.budget.ballots.get(voter=world.alice).receipt
    assert sorted(c["proposal__title"] for c in ballot["choices"]) == ["Benches", "Lights"]
    assert [Decimal(c["quantity"]) for c in records["contributions"]] == [Decimal("3")]
    assert [s["status"] for s in records["shift_signups"]] == ["booked"]
    (account,) = records["timebank_accounts"]
    assert Decimal(account["balance"]) == Decimal("2")
    assert [Decimal(m["amount"]) for m in account["movements"]] == [Decimal("2")]
    assert records["service_requests_reported"][0]["contact_phone"] == "+44 20 7946 0001"
    assert len(records["proposals"]) == 3
    assert records["co_lead_invitations"][0]["email"] == "alice@example.org"
    assert records["census_entries"][0]["email"] == "alice@example.org"
    assert len(records["calendar_feed"]) == 1
    actions = {entry["action"] for entry in records["audit_entries"]}
    assert {"ballot.cast", "contribution.record", "shift.sign_up"} <= actions
    # Someone else's ballot, hours and account are not in Alice's file.
    text = json.dumps(data)
    assert world.budget.ballots.get(voter=world.bob).receipt not in text
    assert all(e["actor"] != world.bob.pk for e in records["audit_entries"] if "actor" in e)
    assert set(records) == {section.key for section in personal_data.sections()}


def test_the_download_needs_a_signed_in_person(client, db):
    response = client.get(reverse("people:my_data_download"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_deleting_the_account_keeps_results_totals_balances_and_the_audit_chain(client, world):
    results, totals, balances = world.results(), world.totals(), world.balances()
    client.force_login(world.alice)
    page = client.get(reverse("people:my_data")).content.decode()
    assert "Former participant" in page and reverse("people:delete_account") in page

    response = client.post(reverse("people:delete_account"), {"password": PASSWORD})

    assert response.status_code == 302
    assert world.results() == results
    assert world.totals() == totals
    assert world.balances() == balances
    assert timebank_check(world.bank).ok
    call_command("audit", "verify", stdout=io.StringIO())
    # The same result once more, computed by the service and compared with the published one.
    budgets.budget_tally(actor=world.lead, budget=world.budget)
    assert [(r.ballots_counted, r.total_cost) for r in world.budget.results.all()] == [
        (count, cost) for _selected, cost, count in results
    ]


def test_deleting_the_account_erases_the_personal_data(client, world):
    client.force_login(world.alice)
    client.post(reverse("people:delete_account"), {"password": PASSWORD})

    alice = Person.objects.get(pk=world.alice.pk)
    assert alice.display_name == f"Former participant #{alice.pk}"
    assert alice.email.endswith("@erased.invalid")
    assert (alice.area, alice.bio, alice.is_active, alice.has_usable_password()) == (
        "",
        "",
        False,
        False,
    )
    assert alice.erased_at is not None
    report = ServiceRequest.objects.get(pk=world.report.pk)
    assert [getattr(report, name) for name in ServiceRequest.CONTACT_FIELDS] == [""] * 5
    assert not CoLeadInvitation.objects.filter(email="alice@example.org").exists()
    assert not CensusEntry.objects.filter(email="alice@example.org").exists()
    assert world.budget.census.count() == 1
    assert not Membership.objects.filter(person=alice).exists()
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not Participation.objects.filter(person=alice).exists()
    assert not CalendarFeed.objects.filter(person=alice).exists()
    assert not Listing.objects.filter(account__person=alice, status="open").exists()
    world.waiting.refresh_from_db()
    assert world.waiting.status == "cancelled"
    # Her place on the coming shift went to Bob, who was waiting.
    assert ShiftSignup.objects.get(pk=world.alice_signup.pk).status == "cancelled"
    assert ShiftSignup.objects.get(pk=world.bob_signup.pk).status == "booked"
    # Logged out, and the old password opens nothing.
    assert "_auth_user_id" not in client.session
    assert not client.login(username="alice@example.org", password=PASSWORD)
    # The address is free for a new account.
    assert not get_user_model().objects.filter(email="alice@example.org").exists()
    entry = AuditEntry.objects.get(action="person.erase")
    assert entry.actor_id == alice.pk and json.loads(entry.payload)["by_administrator"] is False


def test_the_audit_log_names_people_by_number_only(world):
    """Erasure never rewrites the log, so it must hold nothing personal to begin with."""
    people = Person.objects.all()
    personal = {p.email for p in people} | {p.display_name for p in people} | {ALICE["bio"]}
    personal |= {"+44 20 7946 0001", "alice-phone"}
    assert AuditEntry.objects.count() > 30
    for entry in AuditEntry.objects.all():
        found = [text for text in personal if text in entry.payload]
        assert not found, f"audit entry #{entry.pk} ({entry.action}) holds {found}"


def test_a_wrong_password_deletes_nothing(client, world):
    before = AuditEntry.objects.count()
    client.force_login(world.alice)
    response = client.post(reverse("people:delete_account"), {"password": "not-my-password"})
    assert response.status_code == 400
    assert "This is not your password." in response.content.decode()
    assert Person.objects.get(pk=world.alice.pk).email == "alice@example.org"
    assert AuditEntry.objects.count() == before


def test_the_only_co_lead_of_a_running_initiative_is_told_to_find_another_first(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("people:delete_account")).content.decode()
    assert "You are the only co-lead" in page
    response = client.post(reverse("people:delete_account"), {"password": PASSWORD})
    assert response.status_code == 400
    assert Person.objects.get(pk=world.lead.pk).is_active
    initiatives.participation_change_role(
        actor=PersonFactory(is_superuser=True),
        participation=Participation.objects.get(person=world.bob),
        role=Participation.Role.CO_LEAD,
    )
    assert person_erase(actor=world.lead, person=world.lead).erased_at is not None


def test_an_account_is_erased_once_and_only_by_its_owner_or_an_administrator(world):
    with pytest.raises(PermissionDenied):
        person_erase(actor=world.bob, person=world.alice)
    person_erase(actor=world.alice, person=world.alice)
    with pytest.raises(ValidationError, match="already deleted"):
        person_erase(actor=PersonFactory(is_superuser=True), person=world.alice)


def test_an_administrator_erases_an_account_for_a_person_who_asks_by_letter(
    client, world, administrator
):
    client.force_login(administrator)
    changelist = reverse("admin:people_person_changelist")
    chosen = {"_selected_action": [world.alice.pk], "action": "download_personal_data"}
    response = client.post(changelist, chosen)
    assert json.loads(response.content)["records"]["profile"][0]["email"] == "alice@example.org"

    chosen["action"] = "erase_personal_data"
    confirm = client.post(changelist, chosen)
    assert confirm.status_code == 200 and "alice@example.org" in confirm.content.decode()
    assert Person.objects.get(pk=world.alice.pk).erased_at is None

    client.post(changelist, {**chosen, "confirm": "1"})
    alice = Person.objects.get(pk=world.alice.pk)
    assert alice.erased_at is not None and not alice.is_active
    entry = AuditEntry.objects.get(action="person.erase")
    assert entry.actor_id == administrator.pk
    assert json.loads(entry.payload)["by_administrator"] is True


def test_every_table_that_refers_to_a_person_is_handled_on_download_and_deletion():
    """A new model pointing at a person fails here until its app registers a section."""
    covered = personal_data.covered_models()
    missing = sorted(
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete
        and (field.many_to_one or field.one_to_one)
        and field.related_model is Person
        and model not in covered
    )
    assert not missing, (
        f"No personal_data section covers {missing}: register one from the app's "
        "AppConfig.ready() (see coproduce/people/personal_data.py)."
    )

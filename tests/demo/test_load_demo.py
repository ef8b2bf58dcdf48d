"""The demo data set: what ``coproduce load_demo`` creates, and that it is safe to run again."""

import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.audit.selectors import audit_verify
from coproduce.demo import loader
from coproduce.demo.cases import CASES
from coproduce.demo.data import (
    DEFAULT_SEED,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    build_plan,
    email_part,
)
from coproduce.demo.names import FIRST_NAMES
from coproduce.initiatives.models import Initiative, Participation, Phase, Service
from coproduce.people.models import Membership, Organisation, Person

ACCOUNTS = {account.key: account for account in DEMO_ACCOUNTS}
ACCOUNTS_EMAILS = [account.email for account in DEMO_ACCOUNTS]
FIRE, HOUSING, _ALLEYWAYS, CHILDCARE, _WATCH, BUDGET = (case.slug for case in CASES)


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for this module (loading takes a couple of seconds), inside a
    transaction rolled back when the module is done so other tests see an empty database. Each
    test still runs in its own savepoint, so what one test changes the next does not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("load_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Initiative,
            Phase,
            Service,
            Organisation,
            Person,
            Membership,
            Participation,
            AuditEntry,
        )
    }


pytestmark = pytest.mark.django_db


def test_six_initiatives_each_with_four_phases_and_20_to_200_participants(demo_output):
    assert Initiative.objects.count() == 6
    for initiative in Initiative.objects.all():
        assert sorted(initiative.phases.values_list("kind", flat=True)) == sorted(Phase.ORDER)
        assert 20 <= initiative.participations.count() <= 200, initiative.slug
        assert initiative.description.count("\n\n") >= 2  # real paragraphs, not a placeholder
        assert len(initiative.summary) <= 300
    assert "6 initiatives" in demo_output


def test_levels_hosts_and_stages_cover_the_cases(demo_output):
    assert set(Initiative.objects.values_list("level", flat=True)) == set(Initiative.Level.values)
    shared = Initiative.objects.filter(host__isnull=True)
    assert shared.count() == 1
    open_stages = Counter(
        Phase.objects.filter(status=Phase.Status.OPEN).values_list("kind", flat=True)
    )
    assert open_stages[Phase.Kind.DELIVER] >= 2
    assert open_stages[Phase.Kind.COMMISSION] == 1
    assert Initiative.objects.get(slug=BUDGET).level == Initiative.Level.CO_GOVERNANCE
    completed = Initiative.objects.filter(status=Initiative.Status.COMPLETED)
    assert completed.count() == 1
    assert set(completed.get().phases.values_list("status", flat=True)) == {Phase.Status.DONE}

    today = timezone.localdate()
    for phase in Phase.objects.all():
        assert phase.starts_on <= phase.ends_on
        if phase.status == Phase.Status.DONE:
            assert phase.ends_on < today
        elif phase.status == Phase.Status.OPEN:
            assert phase.starts_on <= today <= phase.ends_on
        else:
            assert phase.starts_on > today


def test_organisations_of_every_kind_including_hybrids(demo_output):
    organisations = list(Organisation.objects.all())
    assert any(organisation.is_hybrid for organisation in organisations)
    sectors = {sector for organisation in organisations for sector in organisation.sectors}
    assert {"public", "third", "community"} <= sectors
    assert Service.objects.count() == 6
    assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)


def test_co_leads_come_from_at_least_two_organisations_and_sectors(demo_output):
    for initiative in Initiative.objects.all():
        co_leads = initiative.participations.filter(role=Participation.Role.CO_LEAD)
        organisations = {p.organisation for p in co_leads.select_related("organisation")}
        assert None not in organisations
        assert len(organisations) >= 2, initiative.slug
        sectors = {frozenset(organisation.sectors) for organisation in organisations}
        assert len(sectors) >= 2, initiative.slug


def test_participations_are_plausible(demo_output):
    assert set(Participation.objects.values_list("role", flat=True)) == set(
        Participation.Role.values
    )
    assert {"self", "invitation", "founder", "admin", "import"} <= set(
        Participation.objects.values_list("channel", flat=True)
    )
    # The database may store times in UTC; a day of margin covers any time zone.
    now = dt.datetime.now(dt.UTC)
    for participation in Participation.objects.select_related("person", "initiative"):
        assert now - dt.timedelta(days=366) <= participation.joined_at <= now
        assert participation.person.date_joined <= participation.joined_at
    commission = {
        phase.initiative_id: phase.starts_on for phase in Phase.objects.filter(kind="commission")
    }
    for participation in Participation.objects.all():
        assert participation.joined_at.date() >= commission[participation.initiative_id] - (
            dt.timedelta(days=1)
        )


def test_people_have_names_in_the_language_of_their_city(demo_output):
    emails = list(Person.objects.values_list("email", flat=True))
    assert len(emails) == len(set(emails))
    assert all(email.endswith(f"@{EMAIL_DOMAIN}") for email in emails)
    swedish = Person.objects.filter(
        participations__initiative__slug=CHILDCARE,
        participations__role=Participation.Role.CITIZEN,
    )
    assert swedish.count() >= 20
    for person in swedish:
        first = person.display_name.split(" ")[0]
        assert first in FIRST_NAMES["sv"]
        assert person.email.startswith(email_part(first) + ".")
    french = Person.objects.filter(participations__initiative__slug=BUDGET).exclude(
        email=ACCOUNTS["citizen"].email
    )
    assert set(french.values_list("preferred_language", flat=True)) == {"fr"}


def test_demo_accounts_can_sign_in(demo_output, client):
    validate_password(DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        person = Person.objects.get(email=account.email)
        assert person.email_confirmed
        assert client.login(username=account.email, password=DEMO_PASSWORD), account.email
        assert account.email in demo_output
        client.logout()
    assert DEMO_PASSWORD in demo_output
    # Generated people have no password anyone knows.
    assert not Person.objects.exclude(email__in=ACCOUNTS_EMAILS).first().has_usable_password()


def test_demo_accounts_play_their_parts(demo_output):
    admin = Person.objects.get(email=ACCOUNTS["admin"].email)
    assert admin.is_superuser and admin.is_staff

    professional = Person.objects.get(email=ACCOUNTS["professional"].email)
    fire_service = Organisation.objects.get(slug="pennine-fire-rescue")
    assert professional.memberships.filter(organisation=fire_service, role="staff").exists()
    assert professional.participations.filter(
        initiative__slug=FIRE, role="co_lead", organisation=fire_service
    ).exists()

    tso = Person.objects.get(email=ACCOUNTS["tso"].email)
    charity = tso.memberships.get(role="staff").organisation
    assert charity.sectors == ["third"]
    assert tso.participations.filter(
        initiative__slug=HOUSING, role="co_lead", organisation=charity
    ).exists()

    citizen = Person.objects.get(email=ACCOUNTS["citizen"].email)
    assert citizen.participations.count() >= 2
    assert citizen.participations.filter(role="citizen").count() >= 2


def test_running_again_changes_nothing(demo_output):
    before = counts()
    output = io.StringIO()
    call_command("load_demo", "--seed", "7", stdout=output)
    assert counts() == before
    assert "already loaded" in output.getvalue()
    assert ACCOUNTS["professional"].email in output.getvalue()
    assert DEMO_PASSWORD in output.getvalue()


def test_refuses_to_mix_with_existing_accounts(demo_output, monkeypatch):
    # As if the demo were absent while admin@example.org exists: stop, write nothing.
    monkeypatch.setattr(loader, "demo_is_loaded", lambda: False)
    before = counts()
    with pytest.raises(CommandError, match="admin@example.org"):
        call_command("load_demo", stdout=io.StringIO())
    assert counts() == before


def test_audit_chain_verifies_and_records_every_row(demo_output):
    report = audit_verify()
    assert report.ok, report.problem
    actions = Counter(AuditEntry.objects.values_list("action", flat=True))
    assert actions["person.create"] == Person.objects.count()
    assert actions["organisation.create"] == Organisation.objects.count()
    assert actions["service.create"] == Service.objects.count()
    assert actions["initiative.create"] == Initiative.objects.count()
    assert actions["membership.add"] == Membership.objects.count()
    assert actions["participation.add"] == Participation.objects.count()
    assert actions["demo.load"] == 1


def test_loaded_names_are_those_of_the_plan(demo_output):
    entry = AuditEntry.objects.get(action="demo.load")
    payload = json.loads(entry.payload)
    assert payload["seed"] == DEFAULT_SEED
    plan = build_plan(seed=DEFAULT_SEED, today=dt.date.fromisoformat(payload["today"]))
    assert sorted(Person.objects.values_list("display_name", flat=True)) == sorted(
        plan.person_names()
    )
    assert Participation.objects.count() == len(plan.participations)


def test_plan_is_deterministic():
    day = dt.date(2026, 3, 2)
    first, again = build_plan(seed=11, today=day), build_plan(seed=11, today=day)
    assert first == again
    assert first.person_names() == again.person_names()
    other = build_plan(seed=12, today=day)
    assert other.person_names() != first.person_names()
    # Names do not depend on the day the demo is loaded, only dates do.
    later = build_plan(seed=11, today=day + dt.timedelta(days=100))
    assert later.person_names() == first.person_names()
    assert later.participations[0].joined_at == first.participations[0].joined_at + dt.timedelta(
        days=100
    )

"""The contributions ledger: recording, two-party confirmation, disputes, corrections that keep
history, valuation, totals by database aggregation, bulk confirmation and CSV import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.audit.selectors import audit_verify
from coproduce.initiatives.models import Participation
from coproduce.ledger import entries as ledger_entries
from coproduce.ledger import selectors
from coproduce.ledger import services as ledger_services
from coproduce.ledger.models import Contribution, ImmutableEntryError
from factories import MembershipFactory, OrganisationFactory, ParticipationFactory

TODAY = dt.date.today()


@pytest.fixture
def rates(initiative, co_lead):
    ledger_services.valuation_rate_set(
        actor=co_lead, initiative=initiative, kind="time", work_type="", amount=Decimal("15")
    )
    ledger_services.valuation_rate_set(
        actor=co_lead,
        initiative=initiative,
        kind="time",
        work_type="Home visit",
        amount=Decimal("24"),
    )
    ledger_services.valuation_rate_set(
        actor=co_lead,
        initiative=initiative,
        kind="rooms",
        work_type="",
        amount=Decimal("30"),
        unit="room-hour",
    )
    ledger_services.ledger_settings_update(actor=co_lead, initiative=initiative, currency="gbp")


def record(initiative, person, quantity="2", **extra):
    return ledger_services.contribution_record(
        actor=extra.pop("actor", person),
        initiative=initiative,
        person=person,
        kind=extra.pop("kind", "time"),
        quantity=quantity,
        occurred_on=extra.pop("occurred_on", TODAY),
        **extra,
    )


@pytest.mark.django_db
def test_a_recorded_contribution_waits_and_is_valued_at_the_rate_of_its_kind_of_work(
    initiative, citizen, rates
):
    general = record(initiative, citizen, "2")
    visit = record(initiative, citizen, "2", work_type="home visit")
    money = record(initiative, citizen, "50", kind="money")
    tools = record(initiative, citizen, "3", kind="tools")
    assert general.status == Contribution.Status.PENDING
    assert (general.value, visit.value, money.value, tools.value) == (
        Decimal("30.00"),
        Decimal("48.00"),
        Decimal("50.00"),
        Decimal("0.00"),
    )
    assert general.capacity == "citizen"
    assert general.month == TODAY.replace(day=1)
    assert selectors.ledger_currency(initiative) == "GBP"


@pytest.mark.django_db
def test_bad_contributions_are_refused(initiative, citizen, outsider):
    for quantity in ("0", "-1", "1.005", "lots"):
        with pytest.raises(ValidationError):
            record(initiative, citizen, quantity)
    with pytest.raises(ValidationError, match="future"):
        record(initiative, citizen, occurred_on=TODAY + dt.timedelta(days=2))
    charity = OrganisationFactory(sectors=["third"])
    with pytest.raises(ValidationError, match="does not belong"):
        record(initiative, citizen, capacity="organisation", organisation=charity)
    with pytest.raises(PermissionDenied):
        record(initiative, citizen, actor=outsider)
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_contributing_on_behalf_of_an_organisation(initiative, citizen):
    charity = OrganisationFactory(sectors=["third"])
    MembershipFactory(person=citizen, organisation=charity, role="volunteer")
    entry = record(
        initiative, citizen, "4", kind="rooms", capacity="organisation", organisation=charity
    )
    assert (entry.capacity, entry.organisation) == ("organisation", charity)
    partner = ParticipationFactory(
        initiative=initiative, role=Participation.Role.PARTNER, organisation=charity
    ).person
    assert record(initiative, partner).capacity == "organisation"  # from their role


@pytest.mark.django_db
def test_two_parties_confirm(initiative, citizen, co_lead, professional, outsider):
    entry = record(initiative, citizen)
    for person in (citizen, outsider, professional):  # not the shift's professional
        with pytest.raises(PermissionDenied):
            ledger_services.contribution_confirm(actor=person, contribution=entry)
    ledger_services.contribution_confirm(actor=co_lead, contribution=entry)
    entry.refresh_from_db()
    assert entry.status == "confirmed" and entry.confirmed_by == co_lead
    with pytest.raises(ValidationError):
        ledger_services.contribution_confirm(actor=co_lead, contribution=entry)
    own = record(initiative, co_lead)
    with pytest.raises(PermissionDenied):
        ledger_services.contribution_confirm(actor=co_lead, contribution=own)


@pytest.mark.django_db
def test_the_database_refuses_self_confirmation(initiative, citizen):
    entry = record(initiative, citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=entry.pk).update(
            status="confirmed", confirmed_by=citizen, confirmed_at=timezone.now()
        )


@pytest.mark.django_db
def test_a_dispute_needs_a_reason_and_stops_the_entry_counting(initiative, citizen, co_lead):
    entry = record(initiative, citizen, "3")
    with pytest.raises(ValidationError):
        ledger_services.contribution_dispute(actor=co_lead, contribution=entry, reason="  ")
    ledger_services.contribution_dispute(
        actor=co_lead, contribution=entry, reason="Not on the rota"
    )
    entry.refresh_from_db()
    assert entry.status == "disputed" and entry.dispute_reason == "Not on the rota"
    assert selectors.contribution_totals(initiative).total.total_hours == 0
    ledger_services.contribution_confirm(actor=co_lead, contribution=entry)  # settled after talking
    assert selectors.contribution_totals(initiative).total.total_hours == 3
    other = record(initiative, citizen, "1")
    ledger_services.contribution_withdraw(actor=citizen, contribution=other)
    assert Contribution.objects.get(pk=other.pk).status == "withdrawn"


@pytest.mark.django_db
def test_confirmed_entries_are_never_edited_or_deleted(initiative, citizen, co_lead):
    entry = ledger_services.contribution_confirm(
        actor=co_lead, contribution=record(initiative, citizen)
    )
    entry = Contribution.objects.get(pk=entry.pk)
    entry.quantity = Decimal("99")
    with pytest.raises(ImmutableEntryError):
        entry.save()
    with pytest.raises(ImmutableEntryError):
        entry.delete()
    assert Contribution.objects.get(pk=entry.pk).quantity == Decimal("2")


@pytest.mark.django_db
def test_a_correction_is_a_reversal_plus_a_replacement_and_keeps_history(
    initiative, citizen, co_lead, rates
):
    original = record(initiative, citizen, "4", work_type="home visit")
    ledger_services.contribution_confirm(actor=co_lead, contribution=original)
    with pytest.raises(PermissionDenied):
        ledger_services.contribution_correct(
            actor=citizen, contribution=original, reason="mine", quantity="9"
        )
    reversal, replacement = ledger_services.contribution_correct(
        actor=co_lead, contribution=original, reason="Left an hour early", quantity="3"
    )
    assert (reversal.quantity, reversal.value) == (Decimal("-4.00"), Decimal("-96.00"))
    assert reversal.is_reversal and reversal.corrects == original
    assert replacement.quantity == Decimal("3.00") and replacement.corrects == original
    assert replacement.status == reversal.status == "confirmed"
    original.refresh_from_db()
    assert original.quantity == Decimal("4") and original.status == "confirmed"
    totals = selectors.contribution_totals(initiative)
    assert totals.total.total_hours == 3 and totals.total.total_value == 72
    history = selectors.contribution_history(replacement)
    assert [entry.pk for entry in history] == [original.pk, reversal.pk, replacement.pk]
    with pytest.raises(ValidationError, match="already been corrected"):
        ledger_services.contribution_correct(
            actor=co_lead, contribution=original, reason="again", quantity="2"
        )
    # The replacement can itself be corrected, here cancelled altogether.
    ledger_services.contribution_correct(
        actor=co_lead, contribution=replacement, reason="Recorded twice", cancel=True
    )
    assert selectors.contribution_totals(initiative).total.total_hours == 0
    assert len(selectors.contribution_history(original)) == 4
    assert audit_verify().ok


@pytest.mark.django_db
def test_the_database_allows_one_reversal_per_entry(initiative, citizen, co_lead):
    original = ledger_services.contribution_confirm(
        actor=co_lead, contribution=record(initiative, citizen)
    )
    ledger_services.contribution_correct(
        actor=co_lead, contribution=original, reason="x", cancel=True
    )
    reversal = Contribution.objects.get(is_reversal=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(
            **{
                field.attname: getattr(reversal, field.attname)
                for field in Contribution._meta.concrete_fields
                if field.name != "id"
            }
        )


@pytest.mark.django_db
def test_totals_split_citizens_professionals_organisations_per_phase_and_month(
    initiative, co_lead, citizen, professional, rates, django_assert_max_num_queries
):
    charity = OrganisationFactory(sectors=["third"])
    MembershipFactory(person=professional, organisation=charity)
    design = initiative.phases.get(kind="design")
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    entries = [
        record(initiative, citizen, "2"),
        record(initiative, citizen, "1.5", occurred_on=last_month, phase=design),
        record(initiative, professional, "3", capacity="professional"),
        record(
            initiative,
            professional,
            "5",
            kind="rooms",
            capacity="organisation",
            organisation=charity,
        ),
    ]
    pending = record(initiative, citizen, "10")
    for entry in entries:
        ledger_services.contribution_confirm(actor=co_lead, contribution=entry)
    with django_assert_max_num_queries(3):
        totals = selectors.contribution_totals(initiative)
    assert totals.currency == "GBP"
    assert totals.total.hours == {
        "citizen": Decimal("3.5"),
        "professional": Decimal("3"),
        "organisation": Decimal("0"),
    }
    assert totals.total.value["organisation"] == Decimal("150")
    assert totals.total.total_value == Decimal("3.5") * 15 + 3 * 15 + 150
    by_phase = {row.key: row for row in totals.by_phase}
    assert by_phase["design"].total_hours == Decimal("1.5")
    assert [row.label for row in totals.by_month] == [
        last_month.strftime("%Y-%m"),
        TODAY.strftime("%Y-%m"),
    ]
    assert [kind.kind for kind in totals.by_kind] == ["time", "rooms"]
    assert pending.pk not in {e.pk for e in entries}


@pytest.mark.django_db
def test_bulk_confirmation_skips_the_confirmers_own_entries(initiative, co_lead, citizen):
    others = [record(initiative, citizen, str(n)) for n in (1, 2, 3)]
    own = record(initiative, co_lead, "4")
    with pytest.raises(PermissionDenied):
        ledger_services.contribution_confirm_bulk(actor=citizen, initiative=initiative)
    assert (
        ledger_services.contribution_confirm_bulk(
            actor=co_lead, initiative=initiative, ids=[others[0].pk, own.pk]
        )
        == 1
    )
    assert ledger_services.contribution_confirm_bulk(actor=co_lead, initiative=initiative) == 2
    assert Contribution.objects.get(pk=own.pk).status == "pending"
    entry = AuditEntry.objects.filter(action="contribution.confirm_bulk").last()
    assert '"count":2' in entry.payload


@pytest.mark.django_db
def test_record_many_is_one_transaction_with_one_audit_entry(initiative, co_lead, citizen):
    drafts = [
        ledger_entries.ContributionDraft(
            person=citizen, kind="time", quantity=Decimal("2"), occurred_on=TODAY
        ),
        ledger_entries.ContributionDraft(
            person=co_lead, kind="time", quantity=Decimal("1"), occurred_on=TODAY
        ),
    ]
    assert (
        ledger_services.contribution_record_many(
            actor=co_lead, initiative=initiative, drafts=drafts, confirm=True
        )
        == 2
    )
    statuses = dict(Contribution.objects.values_list("person_id", "status"))
    assert statuses == {citizen.pk: "confirmed", co_lead.pk: "pending"}
    assert AuditEntry.objects.filter(action="contribution.record_many").count() == 1
    bad = [
        *drafts,
        ledger_entries.ContributionDraft(
            person=citizen, kind="time", quantity=Decimal("0"), occurred_on=TODAY
        ),
    ]
    with pytest.raises(ValidationError, match="Entry 3"):
        ledger_services.contribution_record_many(actor=co_lead, initiative=initiative, drafts=bad)
    assert Contribution.objects.count() == 2


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db
def test_import_reports_every_bad_line_and_imports_nothing(initiative, co_lead, citizen, rates):
    content = csv_bytes(
        "email,date,kind,quantity,description",
        f"{citizen.email},{TODAY:%Y-%m-%d},time,2,Stall",
        "nobody@example.org,2026-01-05,time,2,",
        f"{citizen.email},31/02/2026,time,2,",
        f"{citizen.email},{TODAY:%Y-%m-%d},sunshine,-1,",
    )
    report = ledger_services.contribution_import(
        actor=co_lead, initiative=initiative, content=content
    )
    assert report.rejected and report.imported == 0
    problems = [str(problem) for problem in report.problems]
    assert problems[0].startswith("Line 3:") and "nobody@example.org" in problems[0]
    assert problems[1].startswith("Line 4:") and "31/02/2026" in problems[1]
    assert problems[2].startswith("Line 5:") and "sunshine" in problems[2]
    assert "-1" in problems[2]
    assert not Contribution.objects.exists()

    report = ledger_services.contribution_import(
        actor=co_lead, initiative=initiative, content=content, skip_bad_rows=True, confirm=True
    )
    assert (report.rows, report.imported, report.skipped) == (4, 1, 3)
    entry = Contribution.objects.get()
    assert entry.status == "confirmed" and entry.source == "import"
    assert entry.value == Decimal("30.00")


@pytest.mark.django_db
def test_import_reads_french_spreadsheets_and_names_columns(initiative, co_lead, citizen, task):
    charity = OrganisationFactory(slug="tenants", sectors=["third"])
    MembershipFactory(person=citizen, organisation=charity)
    content = csv_bytes(
        "Email;Date;Kind;Quantity;Organisation;Task;Phase",
        f"{citizen.email.upper()};{TODAY - dt.timedelta(days=30):%d/%m/%Y};Time;2,5;tenants;"
        f"{task.title};deliver",
    )
    report = ledger_services.contribution_import(
        actor=co_lead, initiative=initiative, content=content
    )
    assert report.imported == 1, [str(p) for p in report.problems]
    entry = Contribution.objects.get()
    assert entry.quantity == Decimal("2.5") and entry.capacity == "organisation"
    assert entry.activity == task and entry.phase.kind == "deliver"
    assert entry.work_type == task.work_type

    for content, message in [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (csv_bytes("email,date,quantity", "a@b.c,2026-01-01,1"), "kind"),
        (csv_bytes("email,date,kind,quantity,colour", "a@b.c,2026-01-01,time,1,red"), "colour"),
        (b"", "empty"),
    ]:
        report = ledger_services.contribution_import(
            actor=co_lead, initiative=initiative, content=content
        )
        assert report.rejected and message in str(report.problems[0])


@pytest.mark.django_db
def test_only_co_leads_import(initiative, citizen):
    with pytest.raises(PermissionDenied):
        ledger_services.contribution_import(
            actor=citizen, initiative=initiative, content=b"email,date,kind,quantity\n"
        )


@pytest.mark.django_db
def test_an_activity_key_from_outside_never_breaks_the_lookup(initiative):
    from coproduce.ledger.activities import activity_from_key
    from factories import TaskFactory

    task = TaskFactory(initiative=initiative)
    assert activity_from_key(initiative, f"delivery.task:{task.pk}") == task
    for junk in ("delivery.task:²", "delivery.task:99999999999999999999", "delivery.task:", "x"):
        assert activity_from_key(initiative, junk) is None
    other = TaskFactory()
    assert activity_from_key(initiative, f"delivery.task:{other.pk}") is None


@pytest.mark.django_db
def test_recording_ones_own_hours_waits_for_a_confirmed_address(initiative):
    newcomer = ParticipationFactory(
        initiative=initiative, role=Participation.Role.CITIZEN, person__email_confirmed=False
    ).person
    with pytest.raises(PermissionDenied, match="Confirm your email address"):
        record(initiative, newcomer)
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_an_administrator_is_a_party_too_and_never_confirms_their_own_entry(
    client, initiative, administrator, co_lead
):
    own = record(initiative, administrator)
    with pytest.raises(PermissionDenied):
        ledger_services.contribution_confirm(actor=administrator, contribution=own)
    with pytest.raises(PermissionDenied):
        ledger_services.contribution_correct(actor=administrator, contribution=own, reason="No.")
    client.force_login(administrator)
    page = f"/initiatives/{initiative.slug}/contributions/{own.pk}/"
    assert f"{page}confirm/" not in client.get(page).content.decode()  # no button to refuse
    assert client.post(f"{page}confirm/").status_code == 403  # was the database's 500
    own.refresh_from_db()
    assert own.status == "pending"
    ledger_services.contribution_confirm(actor=co_lead, contribution=own)

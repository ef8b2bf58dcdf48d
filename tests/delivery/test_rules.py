"""Who may do what: the permission matrix of co-delivery."""

import datetime as dt

import pytest

from coproduce.ledger import services as ledger_services
from coproduce.timebank import services as timebank_services
from factories import ParticipationFactory, PersonFactory, ShiftFactory, TaskFactory


@pytest.mark.django_db
def test_initiative_permissions(
    initiative, co_lead, professional, citizen, outsider, administrator
):
    expected = {
        "delivery.manage_tasks": {co_lead, administrator},
        "delivery.confirm_requirements": {co_lead, professional, administrator},
        "ledger.view_ledger": {co_lead, administrator},
        "ledger.import_contributions": {co_lead, administrator},
        "ledger.set_rates": {co_lead, administrator},
        "timebank.manage_timebank": {co_lead, administrator},
        "service_requests.handle_service_requests": {co_lead, professional, administrator},
        "ledger.record_contribution": {co_lead, professional, citizen, outsider, administrator},
    }
    people = {co_lead, professional, citizen, outsider, administrator}
    for perm, allowed in expected.items():
        for person in people:
            assert person.has_perm(perm, initiative) == (person in allowed), (perm, person)


@pytest.mark.django_db
def test_contribution_permissions_follow_two_parties(initiative, co_lead, citizen, professional):
    other_professional = ParticipationFactory(initiative=initiative, role="professional").person
    shift = ShiftFactory(task=TaskFactory(initiative=initiative), professional=professional)
    entry = ledger_services.contribution_record(
        actor=co_lead,
        initiative=initiative,
        person=citizen,
        kind="time",
        quantity="2",
        occurred_on=dt.date.today(),
        activity=shift,
    )
    assert co_lead.has_perm("ledger.confirm_contribution", entry)
    assert professional.has_perm("ledger.confirm_contribution", entry)  # their shift
    assert not other_professional.has_perm("ledger.confirm_contribution", entry)
    assert not citizen.has_perm("ledger.confirm_contribution", entry)
    assert citizen.has_perm("ledger.view_contribution", entry)
    assert citizen.has_perm("ledger.withdraw_contribution", entry)
    assert not PersonFactory().has_perm("ledger.view_contribution", entry)
    own = ledger_services.contribution_record(
        actor=co_lead,
        initiative=initiative,
        person=co_lead,
        kind="time",
        quantity="1",
        occurred_on=dt.date.today(),
    )
    assert not co_lead.has_perm("ledger.confirm_contribution", own)


@pytest.mark.django_db
def test_shift_and_account_permissions(initiative, co_lead, professional, citizen, outsider):
    shift = ShiftFactory(task=TaskFactory(initiative=initiative), professional=professional)
    assert co_lead.has_perm("delivery.manage_shift", shift)
    assert professional.has_perm("delivery.manage_shift", shift)
    assert not citizen.has_perm("delivery.manage_shift", shift)
    bank = timebank_services.timebank_open(actor=co_lead, initiative=initiative)
    account = timebank_services.timebank_account_open(person=citizen, timebank=bank)
    assert citizen.has_perm("timebank.view_account", account)
    assert co_lead.has_perm("timebank.view_account", account)
    assert not outsider.has_perm("timebank.view_account", account)
    assert not professional.has_perm("timebank.view_account", account)

"""Who may do what: the permission matrix of co-delivery."""

import datetime as dt

import pytest

from coproduce.delivery import services
from delivery.factories_delivery import ShiftFactory, TaskFactory
from factories import ParticipationFactory, PersonFactory


@pytest.mark.django_db
def test_initiative_permissions(
    initiative, co_lead, professional, citizen, outsider, administrator
):
    expected = {
        "delivery.manage_tasks": {co_lead, administrator},
        "delivery.confirm_requirements": {co_lead, professional, administrator},
        "delivery.view_ledger": {co_lead, administrator},
        "delivery.import_contributions": {co_lead, administrator},
        "delivery.set_rates": {co_lead, administrator},
        "delivery.manage_timebank": {co_lead, administrator},
        "delivery.handle_service_requests": {co_lead, professional, citizen, administrator},
        "delivery.record_contribution": {co_lead, professional, citizen, outsider, administrator},
    }
    people = {co_lead, professional, citizen, outsider, administrator}
    for perm, allowed in expected.items():
        for person in people:
            assert person.has_perm(perm, initiative) == (person in allowed), (perm, person)


@pytest.mark.django_db
def test_contribution_permissions_follow_two_parties(initiative, co_lead, citizen, professional):
    other_professional = ParticipationFactory(initiative=initiative, role="professional").person
    shift = ShiftFactory(task=TaskFactory(initiative=initiative), professional=professional)
    entry = services.contribution_record(
        actor=co_lead,
        initiative=initiative,
        person=citizen,
        kind="time",
        quantity="2",
        occurred_on=dt.date.today(),
        task=shift.task,
        shift=shift,
    )
    assert co_lead.has_perm("delivery.confirm_contribution", entry)
    assert professional.has_perm("delivery.confirm_contribution", entry)  # their shift
    assert not other_professional.has_perm("delivery.confirm_contribution", entry)
    assert not citizen.has_perm("delivery.confirm_contribution", entry)
    assert citizen.has_perm("delivery.view_contribution", entry)
    assert citizen.has_perm("delivery.withdraw_contribution", entry)
    assert not PersonFactory().has_perm("delivery.view_contribution", entry)
    own = services.contribution_record(
        actor=co_lead,
        initiative=initiative,
        person=co_lead,
        kind="time",
        quantity="1",
        occurred_on=dt.date.today(),
    )
    assert not co_lead.has_perm("delivery.confirm_contribution", own)


@pytest.mark.django_db
def test_shift_and_account_permissions(initiative, co_lead, professional, citizen, outsider):
    shift = ShiftFactory(task=TaskFactory(initiative=initiative), professional=professional)
    assert co_lead.has_perm("delivery.manage_shift", shift)
    assert professional.has_perm("delivery.manage_shift", shift)
    assert not citizen.has_perm("delivery.manage_shift", shift)
    bank = services.timebank_open(actor=co_lead, initiative=initiative)
    account = services.timebank_account_open(person=citizen, timebank=bank)
    assert citizen.has_perm("delivery.view_account", account)
    assert co_lead.has_perm("delivery.view_account", account)
    assert not outsider.has_perm("delivery.view_account", account)
    assert not professional.has_perm("delivery.view_account", account)

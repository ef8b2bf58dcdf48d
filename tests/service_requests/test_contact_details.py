"""The contact details sent with a report (name, email, phone, device and account ids): seen by
those handling the request only, and erased by a daily job once the request has been closed
for the retention period."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.initiatives.models import Participation
from coproduce.service_requests import services
from coproduce.service_requests.models import ServiceRequest
from factories import ParticipationFactory, PersonFactory, RequestCategoryFactory

CONTACT = {
    "contact_name": "John Smith",
    "contact_email": "smit222@example.org",
    "contact_phone": "+44 20 7946 0002",
    "device_id": "phone-4411",
    "account_id": "city-app-77",
}


@pytest.fixture
def category(initiative):
    return RequestCategoryFactory(initiative=initiative)


def reported(category, **fields) -> ServiceRequest:
    return services.service_request_create(
        category=category, description="Broken light", address="3 Mill Lane", **CONTACT, **fields
    )


def closed(category, days_ago: float, now: dt.datetime) -> ServiceRequest:
    report = reported(category)
    ServiceRequest.objects.filter(pk=report.pk).update(
        status=ServiceRequest.Status.CLOSED, closed_at=now - dt.timedelta(days=days_ago)
    )
    return report


def page(client, person, report) -> str:
    if person is not None:
        client.force_login(person)
    url = reverse("service_requests:request", args=[report.category.initiative.slug, report.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Participation.Role.CO_LEAD, True),
        (Participation.Role.PROFESSIONAL, True),
        (Participation.Role.CITIZEN, False),
        (Participation.Role.OBSERVER, False),
        (None, False),
    ],
)
def test_only_those_handling_a_request_see_how_to_reach_its_reporter(
    client, initiative, category, role, sees
):
    report = reported(category)
    person = ParticipationFactory(initiative=initiative, role=role).person if role else None
    html = page(client, person, report)
    assert all((value in html) is sees for value in CONTACT.values())


@pytest.mark.django_db
def test_the_person_a_request_is_assigned_to_sees_the_contact_details(client, initiative, category):
    professional = ParticipationFactory(
        initiative=initiative, role=Participation.Role.PROFESSIONAL
    ).person
    report = reported(category)
    services.service_request_pick_up(actor=professional, request=report)
    # They left the team, but the request is still theirs to finish, and so is the reporter.
    Participation.objects.filter(person=professional).update(role=Participation.Role.CITIZEN)
    assert CONTACT["contact_phone"] in page(client, professional, report)
    assert CONTACT["contact_phone"] not in page(client, PersonFactory(), report)


@pytest.mark.django_db
def test_the_daily_job_erases_contact_details_after_the_retention_period(category, settings):
    settings.SERVICE_REQUEST_CONTACT_RETENTION_DAYS = 180
    now = timezone.now()
    expired = closed(category, 181, now)
    recent = closed(category, 179, now)
    still_open = reported(category)
    ServiceRequest.objects.filter(pk=still_open.pk).update(created_at=now - dt.timedelta(days=900))
    out = io.StringIO()

    call_command("erase_expired_contacts", stdout=out)

    assert "1 request(s)" in out.getvalue() and "180 days" in out.getvalue()
    values = {
        report.pk: [getattr(report, n) for n in ServiceRequest.CONTACT_FIELDS]
        for report in ServiceRequest.objects.all()
    }
    assert values[expired.pk] == [""] * 5
    assert values[recent.pk] == list(CONTACT.values())
    assert values[still_open.pk] == list(CONTACT.values())
    # The report itself stays: the problem and what was done about it are not personal.
    assert ServiceRequest.objects.get(pk=expired.pk).description == "Broken light"
    entry = AuditEntry.objects.get(action="service_request.erase_expired_contacts")
    assert entry.actor_id is None
    assert json.loads(entry.payload) == {
        "count": 1,
        "requests": [expired.pk],
        "retention_days": 180,
    }
    # Run again (cron twice, or two copies at once): nothing more to erase.
    call_command("erase_expired_contacts", stdout=io.StringIO())
    assert values == {
        report.pk: [getattr(report, n) for n in ServiceRequest.CONTACT_FIELDS]
        for report in ServiceRequest.objects.all()
    }


@pytest.mark.django_db
def test_the_retention_period_is_a_setting(category, settings):
    now = timezone.now()
    report = closed(category, 31, now)
    assert services.service_request_contacts_erase_expired(now=now) == 0
    settings.SERVICE_REQUEST_CONTACT_RETENTION_DAYS = 30
    assert services.service_request_contacts_erase_expired(now=now) == 1
    assert ServiceRequest.objects.get(pk=report.pk).contact_email == ""

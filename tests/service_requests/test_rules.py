"""Who may act on a reported problem: handlers change it, the reporter comments, a participant
who merely joined does neither."""

import pytest
from django.core.exceptions import PermissionDenied

from coproduce.initiatives.models import Participation
from coproduce.service_requests import services
from factories import ParticipationFactory, PersonFactory, RequestCategoryFactory


@pytest.fixture
def report(initiative):
    category = RequestCategoryFactory(initiative=initiative)
    reporter = PersonFactory()
    return services.service_request_create(
        category=category, description="Broken light", address="3 Mill Lane", reporter=reporter
    )


def _person(initiative, role):
    return ParticipationFactory(initiative=initiative, role=role).person


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "may_update"),
    [
        (Participation.Role.CO_LEAD, True),
        (Participation.Role.PROFESSIONAL, True),
        (Participation.Role.CITIZEN, False),
        (Participation.Role.OBSERVER, False),
    ],
)
def test_who_changes_a_request(initiative, report, who, may_update):
    person = _person(initiative, who)
    assert person.has_perm("service_requests.update_request", report) is may_update
    if may_update:
        services.service_request_update(actor=person, request=report, status="in_progress")
    else:
        with pytest.raises(PermissionDenied):
            services.service_request_update(actor=person, request=report, status="closed")
        with pytest.raises(PermissionDenied):
            services.service_request_comment(actor=person, request=report, note="Me too")


@pytest.mark.django_db
def test_the_assignee_keeps_handling_it_and_the_reporter_only_comments(initiative, report):
    professional = _person(initiative, Participation.Role.PROFESSIONAL)
    services.service_request_pick_up(actor=professional, request=report)
    # Their role ends (they left the team); the request is still theirs to finish.
    Participation.objects.filter(person=professional).update(role=Participation.Role.CITIZEN)
    report.refresh_from_db()
    services.service_request_update(
        actor=professional, request=report, status="closed", note="Replaced the bulb."
    )
    reporter = report.reported_by
    with pytest.raises(PermissionDenied):
        services.service_request_update(actor=reporter, request=report, status="open")
    comment = services.service_request_comment(actor=reporter, request=report, note="Thanks!")
    assert comment.is_public is False
    report.refresh_from_db()
    assert report.status_notes == "Replaced the bulb."

"""Staff sessions end after a while without activity; other people's do not."""

import time

import pytest
from django.urls import reverse

from coproduce.middleware import LAST_SEEN
from factories import PersonFactory

IDLE = 30 * 60


def last_seen(client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds_ago
    session.save()


@pytest.fixture
def staff(db):
    return PersonFactory(is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_a_staff_session_left_idle_for_half_an_hour_is_logged_out(client, staff, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = IDLE
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    last_seen(client, IDLE + 1)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("initiatives:list")).content.decode()
    assert "You were logged out after 30 minutes without activity." in page


@pytest.mark.django_db
def test_a_staff_member_at_work_stays_logged_in_and_each_visit_counts(client, staff, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = IDLE
    client.force_login(staff)
    last_seen(client, IDLE - 60)
    assert client.get("/admin/").status_code == 200
    # The visit moved the clock: another half hour from now.
    assert int(time.time()) - client.session[LAST_SEEN] < 5
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_citizen_session_has_no_idle_limit(client, citizen):
    client.force_login(citizen)
    last_seen(client, 10 * IDLE)
    response = client.get(reverse("initiatives:mine"))
    assert response.status_code == 200
    assert LAST_SEEN in client.session and "_auth_user_id" in client.session

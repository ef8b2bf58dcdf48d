"""Open311 API keys: stored as a digest (a copy of the database posts nothing), shown once when
issued, and limited to a number of posts a minute each."""

import hashlib

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from coproduce.api.open311 import limits
from coproduce.audit.models import AuditEntry
from coproduce.service_requests.models import ApiKey, ServiceRequest
from factories import ApiKeyFactory, PersonFactory, RequestCategoryFactory

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def category(initiative):
    return RequestCategoryFactory(initiative=initiative)


def post(client, key, category, fmt="json"):
    return client.post(
        f"{BASE}/requests.{fmt}",
        {
            "api_key": key,
            "service_code": category.code,
            "address_string": "8th Ave and Judah St",
            "email": "reporter@example.org",
        },
    )


@pytest.mark.django_db
def test_the_database_holds_a_digest_of_the_key_never_the_key(client, category):
    api_key = ApiKeyFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM delivery_apikey WHERE id = %s", [api_key.pk])
        row = cursor.fetchone()
    assert api_key.key not in [str(value) for value in row]
    assert api_key.key_hash == hashlib.sha256(api_key.key.encode()).hexdigest()
    assert api_key.prefix == api_key.key[:8] and len(api_key.key) >= 40
    assert post(client, api_key.key, category).status_code == 200
    # Whoever copied the table has the digest: it is not a key.
    assert post(client, api_key.key_hash, category).status_code == 403
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_issues_a_key_and_shows_it_once(client, administrator, category):
    client.force_login(administrator)
    add = reverse("admin:service_requests_apikey_add")
    assert client.get(add).status_code == 200
    owner = PersonFactory()

    response = client.post(add, {"name": "City app", "owner": owner.pk})

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    issued = ApiKey.objects.get(name="City app")
    key = response.context["key"]
    assert (
        key in response.content.decode() and "will not be shown again" in response.content.decode()
    )
    assert issued.key_hash == hashlib.sha256(key.encode()).hexdigest() and issued.owner == owner
    change = client.get(reverse("admin:service_requests_apikey_change", args=[issued.pk]))
    assert key not in change.content.decode() and issued.prefix in change.content.decode()
    entry = AuditEntry.objects.get(action="api_key.issue")
    assert entry.actor_id == administrator.pk and key not in entry.payload
    assert post(client, key, category).status_code == 200


@pytest.mark.django_db
def test_staff_without_the_right_cannot_issue_a_key(client):
    client.force_login(PersonFactory(is_staff=True))
    response = client.post(reverse("admin:service_requests_apikey_add"), {"name": "Mine"})
    assert response.status_code == 403
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_a_revoked_key_posts_nothing(client, category):
    api_key = ApiKeyFactory(is_active=False)
    assert post(client, api_key.key, category).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_each_key_may_post_so_many_requests_a_minute(client, category, settings, monkeypatch, fmt):
    settings.OPEN311_POSTS_PER_MINUTE = 2
    monkeypatch.setattr(limits.time, "time", lambda: 1_800_000_015.5)  # 15.5 s into a minute
    busy, other = ApiKeyFactory(), ApiKeyFactory()
    assert [post(client, busy.key, category, fmt).status_code for _ in range(2)] == [200, 200]

    refused = post(client, busy.key, category, fmt)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    body = refused.content.decode()
    if fmt == "json":
        assert refused.json() == [
            {
                "code": 429,
                "description": "Too many requests with this api_key: try again in 45 seconds.",
            }
        ]
    else:
        assert "<errors><error><code>429</code>" in body
    assert ServiceRequest.objects.count() == 2
    assert post(client, other.key, category, fmt).status_code == 200
    # The next minute starts afresh.
    monkeypatch.setattr(limits.time, "time", lambda: 1_800_000_060.0)
    assert post(client, busy.key, category, fmt).status_code == 200


@pytest.mark.django_db
def test_retry_after_is_never_zero(settings):
    settings.OPEN311_POSTS_PER_MINUTE = 1
    assert limits.post_allowed(7, now=59.9) is None
    assert limits.post_allowed(7, now=59.95) == 1


@pytest.mark.django_db(transaction=True)
def test_keys_issued_before_hashing_keep_working_after_the_upgrade():
    before = [("service_requests", "0002_update_visibility")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("service_requests", "ApiKey")
    old.objects.create(name="Old app", key="an-old-key-issued-in-2026")
    old.objects.create(name="Older app", key="another-old-key-of-2025")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        upgraded = ApiKey.active_by_key("an-old-key-issued-in-2026")
        assert upgraded is not None and upgraded.name == "Old app" and upgraded.prefix == "an-old-k"
        assert ApiKey.active_by_key("another-old-key-of-2025").name == "Older app"
        # Back again: a digest cannot give the key back, so each key gets a new one.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        keys = executor.loader.project_state(before).apps.get_model("service_requests", "ApiKey")
        values = list(keys.objects.values_list("key", flat=True))
        assert len(set(values)) == 2 and "an-old-key-issued-in-2026" not in values
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ApiKey.objects.all().delete()

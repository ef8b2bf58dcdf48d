"""What a client posts to reach the reporter (name, email, phone, device id) is kept for those
handling the request: Open311 reads, public by design, never return it."""

import pytest
from django.core.cache import cache

from factories import ApiKeyFactory, RequestCategoryFactory

BASE = "/open311/v2"
CONTACT = {
    "first_name": "John",
    "last_name": "Smith",
    "email": "smit222@example.org",
    "phone": "+44 20 7946 0003",
    "device_id": "phone-4411",
}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_reads_never_return_contact_details(client, initiative, fmt):
    cache.clear()
    category = RequestCategoryFactory(initiative=initiative)
    created = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": ApiKeyFactory().key,
            "service_code": category.code,
            "address_string": "8th Ave and Judah St",
            **CONTACT,
        },
    )
    assert created.status_code == 200
    request_id, token = created.json()[0]["service_request_id"], created.json()[0]["token"]
    for path in (f"requests.{fmt}", f"requests/{request_id}.{fmt}", f"tokens/{token}.{fmt}"):
        body = client.get(f"{BASE}/{path}").content.decode()
        assert str(request_id) in body
        assert not [value for value in CONTACT.values() if value in body], path

"""Open311 GeoReport v2 at /open311/v2/, checked against the shapes of the specification's
examples (http://wiki.open311.org/GeoReport_v2): discovery, services, service definitions,
requests GET and POST, tokens, single requests, JSON and XML, and its error format."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from coproduce.initiatives.models import Initiative
from coproduce.service_requests import services as service_requests_services
from coproduce.service_requests.models import ServiceRequest
from factories import ApiKeyFactory, InitiativeFactory, RequestCategoryFactory

BASE = "/open311/v2"


@pytest.fixture
def category(initiative, co_lead):
    return service_requests_services.request_category_create(
        actor=co_lead,
        initiative=initiative,
        code="fly-tipping",
        name="Fly-tipping",
        description="Rubbish dumped in a street or an alley.",
        keywords="rubbish, alley",
        group="Public space",
        service_notice="Volunteers clear reports within two weeks.",
        attributes=[
            {
                "code": "size",
                "description": "How big is it?",
                "datatype": "singlevaluelist",
                "required": True,
                "values": [{"key": "bags", "name": "A few bags"}, {"key": "van", "name": "A van"}],
            },
            {"code": "since", "description": "Since when?", "datatype": "datetime"},
        ],
    )


@pytest.fixture
def api_key(db):
    return ApiKeyFactory().key


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)


def post(client, fmt="json", **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


def report(client, api_key, category, fmt="json", **extra):
    data = {
        "service_code": category.code,
        "lat": "37.762221815",
        "long": "-122.4651145",
        "address_string": "8TH AVE and JUDAH ST",
        "email": "smit222@sfgov.edu",
        "first_name": "John",
        "last_name": "Smith",
        "phone": "111111111",
        "description": "A large sinkhole is destroying the street",
        "attribute[size]": "van",
    }
    if api_key is not None:
        data["api_key"] = api_key
    data.update(extra)
    return post(client, fmt, **data)


@pytest.mark.django_db
def test_discovery_lists_this_endpoint_in_both_formats(client):
    data = client.get(f"{BASE}/discovery.json").json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "text/xml",
        "application/json",
    ]


@pytest.mark.django_db
def test_services_as_in_the_specification_example(client, category):
    InitiativeFactory(status=Initiative.Status.DRAFT)
    RequestCategoryFactory(initiative=InitiativeFactory(status="draft"), code="hidden")
    data = client.get(f"{BASE}/services.json").json()
    assert data == [
        {
            "service_code": "fly-tipping",
            "service_name": "Fly-tipping",
            "description": "Rubbish dumped in a street or an alley.",
            "metadata": True,
            "type": "realtime",
            "keywords": "rubbish, alley",
            "group": "Public space",
        }
    ]
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    service = root.find("service")
    assert [child.tag for child in service] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert service.findtext("metadata") == "true"


@pytest.mark.django_db
def test_service_definition_lists_attributes_and_values(client, category):
    data = client.get(f"{BASE}/services/fly-tipping.json").json()
    assert data["service_code"] == "fly-tipping"
    size = data["attributes"][0]
    assert size == {
        "variable": True,
        "code": "size",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "How big is it?",
        "values": [{"key": "bags", "name": "A few bags"}, {"key": "van", "name": "A van"}],
    }
    root = xml(client.get(f"{BASE}/services/fly-tipping.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/values/value/name") == "A few bags"
    missing = client.get(f"{BASE}/services/nope.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service_code was not found."}]


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "", "wrong", "inactive"])
def test_posting_needs_a_valid_api_key_and_errors_follow_the_spec(client, category, key):
    if key == "inactive":
        key = ApiKeyFactory(is_active=False).key
    response = report(client, key, category, fmt="xml")
    assert response.status_code == 403
    root = xml(response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "403"
    assert "api_key" in root.findtext("error/description")
    response = report(client, key, category, fmt="json")
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_post_then_token_then_single_request(client, category, api_key):
    response = report(client, api_key, category, fmt="xml")
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    request_id = root.findtext("request/service_request_id")
    token = root.findtext("request/token")
    assert root.findtext("request/service_notice") == category.service_notice
    created = ServiceRequest.objects.get(pk=request_id)
    assert created.contact_name == "John Smith" and created.attributes == {"size": "van"}
    assert str(created.latitude) == "37.762222"

    assert client.get(f"{BASE}/tokens/{token}.json").json() == [
        {"service_request_id": int(request_id), "token": token}
    ]
    data = client.get(f"{BASE}/requests/{request_id}.json").json()
    assert len(data) == 1
    item = data[0]
    assert {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    } == set(item)
    assert item["status"] == "open" and item["service_code"] == "fly-tipping"
    assert item["address"] == "8TH AVE and JUDAH ST"
    assert item["agency_responsible"] == category.initiative.host.name
    assert dt.datetime.fromisoformat(item["requested_datetime"]).utcoffset() is not None
    assert "contact" not in json.dumps(item) and "smit222" not in json.dumps(item)
    root = xml(client.get(f"{BASE}/requests/{request_id}.xml"))
    assert root.findtext("request/status") == "open"
    assert root.find("request/expected_datetime").text is None  # an empty element
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404
    assert client.get(f"{BASE}/requests/999999.xml").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"service_code": ""}, 400, "service_code was not provided"),
        ({"service_code": "nope"}, 404, "service_code was not found"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "address_string"),
        ({"lat": "91"}, 400, "lat is out of range"),
        ({"long": ""}, 400, "together"),
        ({"attribute[size]": ""}, 400, "How big is it?"),
        ({"attribute[size]": "lorry"}, 400, "listed answers"),
        ({"jurisdiction_id": "elsewhere.example"}, 404, "jurisdiction_id"),
    ],
)
def test_bad_posts_get_the_specifications_errors(client, category, api_key, change, status, words):
    response = report(client, api_key, category, **change)
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status and words in error["description"]
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_searching_requests(client, category, api_key, co_lead):
    now = timezone.now()
    old = service_requests_services.service_request_create(
        category=category,
        address="Old Street",
        attributes={"size": ["bags"]},
        now=now - dt.timedelta(days=120),
    )
    closed = service_requests_services.service_request_create(
        category=category, address="Mill Lane", attributes={"size": ["bags"]}
    )
    service_requests_services.service_request_update(
        actor=co_lead, request=closed, status="closed", note="Cleared with two neighbours."
    )
    open_one = service_requests_services.service_request_create(
        category=category,
        address="Church Street",
        attributes={"size": ["van"]},
        media_url="https://example.org/photo.jpg",
    )

    def ids(**query):
        response = client.get(f"{BASE}/requests.json", query)
        assert response.status_code == 200, response.content
        return {item["service_request_id"] for item in response.json()}

    assert ids() == {closed.pk, open_one.pk}  # the last 90 days by default
    assert ids(status="closed") == {closed.pk}
    assert ids(status="open,closed") == {closed.pk, open_one.pk}
    assert ids(service_code="other") == set()
    assert ids(service_request_id=f"{old.pk},{open_one.pk}") == {old.pk, open_one.pk}
    start = (now - dt.timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - dt.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=start, end_date=end) == {old.pk}
    item = client.get(f"{BASE}/requests/{closed.pk}.json").json()[0]
    assert item["status"] == "closed" and item["status_notes"] == "Cleared with two neighbours."
    assert client.get(f"{BASE}/requests/{open_one.pk}.json").json()[0]["media_url"] == (
        "https://example.org/photo.jpg"
    )
    for query, words in [
        ({"status": "pending"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"service_request_id": "1;2"}, "service_request_id"),
    ]:
        response = client.get(f"{BASE}/requests.xml", query)
        assert response.status_code == 400
        assert words in xml(response).findtext("error/description")


@pytest.mark.django_db
def test_unknown_formats_paths_and_methods(client, category):
    response = client.get(f"{BASE}/services.csv")
    assert response.status_code == 404 and xml(response).tag == "errors"
    response = client.get(f"{BASE}/nothing-here.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404
    response = client.delete(f"{BASE}/requests.json")
    assert response.status_code == 405 and response.json()[0]["code"] == 405
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "testserver"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/requests.json?end_date=2026-13-45T00:00:00Z", 400, "end_date is not a possible date"),
        ("/requests.json?start_date=9999-12-31", 400, "between the years 1900 and 2999"),
        ("/requests.json?start_date=0001-01-01", 400, "between the years 1900 and 2999"),
        ("/requests.json?service_request_id=1,%C2%B2", 400, "service_request_id"),
        (f"/requests.json?service_request_id={2**64}", 400, "service_request_id"),
        ("/requests/%C2%B2.json", 404, "service_request_id was not found"),
        (f"/requests/{2**64}.xml", 404, "service_request_id was not found"),
    ],
)
def test_impossible_dates_and_ids_get_the_specifications_error(client, path, status, words):
    response = client.get(BASE + path)
    assert response.status_code == status
    if path.split("?")[0].endswith(".xml"):
        assert words in response.content.decode()
    else:
        [error] = response.json()
        assert error["code"] == status
        assert words in error["description"]

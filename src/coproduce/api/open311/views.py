"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the same service requests as
the pages, for city apps and other clients.

Endpoints, each in JSON or XML by extension: discovery, services, service definitions, requests
(GET; POST with an API key), a single request and tokens. Errors use the specification's format:
``<errors><error><code/><description/></error></errors>`` or ``[{"code", "description"}]``.
This deployment is a single jurisdiction: ``jurisdiction_id`` is optional and, when given, must be
the site's host name.
"""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from coproduce.ids import InvalidInput, parse_id
from coproduce.middleware import refuse_unreadable_input
from coproduce.service_requests import selectors, services
from coproduce.service_requests.models import ApiKey, RequestCategory, ServiceRequest

from . import limits

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00Z"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
DEFAULT_SPAN = dt.timedelta(days=90)
MAX_RESULTS = 1000
# In XML, a list is an element whose children are named after one item.
LIST_ITEMS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


class Open311Error(Exception):
    def __init__(self, code: int, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.headers = headers or {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _w3c(value)
    return str(value)


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, LIST_ITEMS.get(tag, "item"), item)
    else:
        text = _text(value)
        if text is not None:
            element.text = text


def _xml(root: str, item: str | None, data: Any) -> str:
    element = ET.Element(root)
    if item is None:
        for key, value in data.items():
            _append(element, key, value)
    else:
        for entry in data:
            _append(element, item, entry)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _w3c(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def _respond(
    fmt: str, data: Any, *, root: str, item: str | None, status: int = 200
) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, default=_json_default, ensure_ascii=False)
    else:
        body = _xml(root, item, data)
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)


def error_response(fmt: str, code: int, description: str) -> HttpResponse:
    """The specification's error format, with the HTTP status of the error."""
    fmt = fmt if fmt in CONTENT_TYPES else "xml"
    return _respond(
        fmt, [{"code": code, "description": description}], root="errors", item="error", status=code
    )


def _w3c(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _check(request: HttpRequest, fmt: str, methods: tuple[str, ...]) -> None:
    if fmt not in CONTENT_TYPES:
        raise Open311Error(404, "Unknown format: use .json or .xml.")
    if request.method not in methods:
        raise Open311Error(405, f"Method {request.method} is not allowed here.")
    jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if jurisdiction and jurisdiction != request.get_host().split(":")[0]:
        raise Open311Error(404, "jurisdiction_id was not found.")


def _readable(request: HttpRequest) -> None:
    """The project's check of a request's input, answered in Open311's error format."""
    try:
        refuse_unreadable_input(request)
    except InvalidInput as error:
        raise Open311Error(400, f"{error.field}: {error.message}") from None
    except (RequestDataTooBig, TooManyFieldsSent):
        raise Open311Error(400, "The request is too large.") from None


def _api(methods: tuple[str, ...]):
    """Wrap a view: check format, method and jurisdiction; turn Open311Error into the
    specification's error format."""

    def decorate(view):
        @csrf_exempt
        def wrapped(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            try:
                _readable(request)
                _check(request, fmt, methods)
                response = view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error.code, error.description)
                for header, value in error.headers.items():
                    response[header] = value
                if error.code == 405:
                    response["Allow"] = ", ".join(methods)
            response["Access-Control-Allow-Origin"] = "*"
            return response

        wrapped.reads_own_input = True
        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


@_api(("GET", "HEAD"))
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", args=["json"]))
    data = {
        "changeset": CHANGESET,
        "contact": "Ask the administrators of this Coproduce site.",
        "key_service": "API keys for posting requests are issued by the site's administrators.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _respond(fmt, data, root="discovery", item=None)


def _service(category: RequestCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(category.attributes.all()),
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": category.group or category.initiative.title,
    }


@_api(("GET", "HEAD"))
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = [_service(category) for category in selectors.open311_services()]
    return _respond(fmt, data, root="services", item="service")


@_api(("GET", "HEAD"))
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    category = selectors.open311_services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, "service_code was not found.")
    data = {
        "service_code": category.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                "order": attribute.order,
                "description": attribute.description,
                "values": [
                    {"key": value.get("key"), "name": value.get("name")}
                    for value in attribute.values
                    if isinstance(value, dict)
                ],
            }
            for attribute in category.attributes.all()
        ],
    }
    return _respond(fmt, data, root="service_definition", item=None)


def _request_data(request: HttpRequest, report: ServiceRequest) -> dict[str, Any]:
    initiative = report.category.initiative
    media = report.media_url or None
    if report.photo:
        media = request.build_absolute_uri(
            reverse("service_requests:request_photo", args=[initiative.slug, report.pk])
        )
    return {
        "service_request_id": report.pk,
        "status": report.open311_status,
        "status_notes": report.status_notes or None,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description or None,
        "agency_responsible": initiative.host.name if initiative.host else initiative.title,
        "service_notice": report.category.service_notice or None,
        "requested_datetime": report.created_at,
        "updated_datetime": report.updated_at,
        "expected_datetime": report.expected_at,
        "address": report.address or None,
        "address_id": report.address_id or None,
        "zipcode": report.zipcode or None,
        "lat": float(report.latitude) if report.latitude is not None else None,
        "long": float(report.longitude) if report.longitude is not None else None,
        "media_url": media,
    }


#: Dates a search may name: far enough to cover any record, near enough that a 90-day span
#: around them is still a date.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2999, 12, 31, tzinfo=dt.UTC)


def _moment(value: str, name: str) -> dt.datetime:
    text = value.strip()
    try:
        moment = parse_datetime(text.replace(" ", "+"))
        if moment is None:
            day = parse_date(text)
            moment = dt.datetime.combine(day, dt.time.min) if day else None
    except ValueError:  # well formed but impossible, e.g. month 13
        raise Open311Error(400, f"{name} is not a possible date.") from None
    if moment is None:
        raise Open311Error(400, f"{name} is not a W3C date and time, e.g. 2026-05-01T00:00:00Z.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if not EARLIEST <= moment <= LATEST:
        raise Open311Error(400, f"{name} must be between the years 1900 and 2999.")
    return moment


def _search(request: HttpRequest) -> list[ServiceRequest]:
    params = request.GET
    qs = selectors.open311_requests()
    if params.get("service_request_id"):
        parts = [part for part in params["service_request_id"].split(",") if part.strip()]
        ids = [parse_id(part) for part in parts]
        if None in ids or len(ids) > MAX_RESULTS:
            raise Open311Error(
                400, f"service_request_id must be up to {MAX_RESULTS} ids separated by commas."
            )
        return list(qs.filter(pk__in=ids)[:MAX_RESULTS])
    if params.get("service_code"):
        qs = qs.filter(category__code=params["service_code"])
    start = _moment(params["start_date"], "start_date") if params.get("start_date") else None
    end = _moment(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and end - start > DEFAULT_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date.")
    if start is None and end is None:
        end = timezone.now()
        start = end - DEFAULT_SPAN
    elif start is None:
        start = end - DEFAULT_SPAN
    elif end is None:
        end = start + DEFAULT_SPAN
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    if params.get("status"):
        statuses = {part.strip() for part in params["status"].split(",") if part.strip()}
        if not statuses <= {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both (comma separated).")
        if statuses == {"open"}:
            qs = qs.exclude(status=ServiceRequest.Status.CLOSED)
        elif statuses == {"closed"}:
            qs = qs.filter(status=ServiceRequest.Status.CLOSED)
    return list(qs[:MAX_RESULTS])


def _api_key(request: HttpRequest) -> ApiKey:
    """The active key the client sent, within its rate limit (429 with Retry-After beyond)."""
    api_key = ApiKey.active_by_key(request.POST.get("api_key", "").strip())
    if api_key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    wait = limits.post_allowed(api_key.pk)
    if wait is not None:
        raise Open311Error(
            429,
            f"Too many requests with this api_key: try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    return api_key


def _coordinate(value: str, name: str, limit: int) -> Decimal | None:
    if not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise Open311Error(400, f"{name} is not a number.") from None
    if not number.is_finite() or abs(number) > limit:
        raise Open311Error(400, f"{name} is out of range.")
    return number.quantize(Decimal("0.000001"))


def _attributes(request: HttpRequest) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for key in request.POST:
        if key.startswith("attribute[") and "]" in key:
            code = key[len("attribute[") : key.index("]")]
            answers.setdefault(code, []).extend(request.POST.getlist(key))
    return answers


def _create(request: HttpRequest) -> ServiceRequest:
    api_key = _api_key(request)
    post = request.POST
    code = post.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided.")
    category = selectors.open311_services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, "service_code was not found.")
    latitude = _coordinate(post.get("lat", ""), "lat", 90)
    longitude = _coordinate(post.get("long", ""), "long", 180)
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, "lat and long must be given together.")
    address = post.get("address_string", "").strip()
    address_id = post.get("address_id", "").strip()
    if latitude is None and not address and not address_id:
        raise Open311Error(400, "lat/long, address_string or address_id was not provided.")
    name = " ".join(
        part for part in (post.get("first_name", ""), post.get("last_name", "")) if part
    )
    try:
        return services.service_request_create(
            category=category,
            description=post.get("description", "").strip(),
            address=address[:250],
            address_id=address_id[:64],
            latitude=latitude,
            longitude=longitude,
            media_url=post.get("media_url", "").strip()[:500],
            attributes=_attributes(request),
            api_key=api_key,
            contact_name=name[:150],
            contact_email=post.get("email", "").strip()[:254],
            contact_phone=post.get("phone", "").strip()[:40],
            device_id=post.get("device_id", "").strip()[:100],
            account_id=post.get("account_id", "").strip()[:100],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            problems = [
                f"{field}: {' '.join(messages)}"
                for field, messages in (
                    (k, ValidationError(v).messages) for k, v in error.error_dict.items()
                )
            ]
        else:
            problems = error.messages
        raise Open311Error(400, "; ".join(problems)) from None


@_api(("GET", "HEAD", "POST"))
def requests_view(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET: search requests (the last 90 days by default, 1000 at most). POST: create one."""
    if request.method == "POST":
        report = _create(request)
        data = [
            {
                "service_request_id": report.pk,
                "token": report.token,
                "service_notice": report.category.service_notice or None,
                "account_id": report.account_id or None,
            }
        ]
        return _respond(fmt, data, root="service_requests", item="request")
    data = [_request_data(request, report) for report in _search(request)]
    return _respond(fmt, data, root="service_requests", item="request")


@_api(("GET", "HEAD"))
def request_detail(request: HttpRequest, request_id: str, *, fmt: str) -> HttpResponse:
    number = parse_id(request_id)
    report = selectors.open311_requests().filter(pk=number).first() if number else None
    if report is None:
        raise Open311Error(404, "service_request_id was not found.")
    return _respond(fmt, [_request_data(request, report)], root="service_requests", item="request")


@_api(("GET", "HEAD"))
def token_detail(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    report = selectors.open311_requests().filter(token=token).first()
    if report is None:
        raise Open311Error(404, "token was not found.")
    data = [{"service_request_id": report.pk, "token": report.token}]
    return _respond(fmt, data, root="service_requests", item="request")


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return error_response(fmt, 404, "No such Open311 endpoint; see discovery.xml.")

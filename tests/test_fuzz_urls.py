"""No input breaks a page: every URL pattern of the site, read from the URLconf, is asked for with
junk in its path, its query string and its form, as an anonymous visitor, a citizen participant
and a co-lead. No answer may be a server error, and a refused request (4xx) changes nothing in
the database.

Each pattern is tried with a fixed set of known-nasty values (every path parameter in turn, then
every form field at once) and with a bounded number of hypothesis examples that mix real values
and junk field by field. A new URL pattern is fuzzed without touching this file; one whose path
names an object the fuzz world lacks fails until ``fuzzing.SEGMENT_OBJECTS`` says what it is.
"""

import traceback
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import MEGABYTE, NASTY, SEGMENT_OBJECTS, build_world, fingerprint, junk_text
from urlwalk import Route, routes

ROLES = ("anonymous", "citizen", "co_lead")
#: Junk for a path parameter: past 64 bits, negative, not ASCII, not a number, very long.
PATH_JUNK = [str(2**63), "9" * 40, "²", "x" * 300, "-1", "%", "a\x00b"]
#: Form fields the views read without a form on the page showing them.
EXTRA_FIELDS = ["ids", "rate", "confirm", "form", "action", "area", "page", "next", "to_stage"]
#: Open311's query and form parameters (an API: no page shows them).
OPEN311_FIELDS = [
    "start_date",
    "end_date",
    "service_request_id",
    "service_code",
    "status",
    "jurisdiction_id",
    "api_key",
    "lat",
    "long",
    "address_string",
    "attribute[depth]",
    "attribute[seen]",
    "description",
    "first_name",
    "email",
    "phone",
    "device_id",
    "media_url",
]
#: A request that Open311 accepts, for the fuzz to change one parameter at a time.
OPEN311_REPORT = {"api_key": "fuzz-key", "service_code": "pothole", "address_string": "1 Main St"}
EXAMPLES_PER_ROUTE = 6
ALL_ROUTES = routes()


def _is_admin(route: Route) -> bool:
    return route.name == "admin" or route.name.startswith("admin:")


def _real_value(world, route: Route, param) -> str:
    """A value naming a real object of the world, for a parameter of this pattern."""
    if param.name == "fmt":
        return "json"
    if param.name == "rest":
        return ""
    if _is_admin(route):
        return _admin_value(world, route, param)
    if param.name in ("slug", "initiative_slug") and route.segment_before(param) != "budgets":
        return world.value("initiative")
    kind = SEGMENT_OBJECTS.get(route.segment_before(param))
    if kind is None and param.name == "request_id":
        kind = "report"
    if kind is None and not route.ours:
        return "unknown"  # another library's page (the account pages): its own ids and keys
    assert kind is not None, (
        f"{route.template}: say in fuzzing.SEGMENT_OBJECTS what <{param.name}> names, "
        "and add such an object to the fuzz world"
    )
    return world.value(kind)


def _admin_value(world, route: Route, param) -> str:
    if param.name == "app_label":
        return "ledger"
    if param.name == "content_type_id":
        from django.contrib.contenttypes.models import ContentType

        return str(ContentType.objects.get_for_model(world.objects["initiative"]).pk)
    return str(world.co_lead.pk)


class FormFields(HTMLParser):
    """The names of a page's form fields, with the values the page offers for each (hidden
    inputs, buttons, options, checkboxes), and which are file fields."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, set[str]] = {}
        self.files: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "option" and self.fields and attrs.get("value"):
            self.fields[self._select].add(attrs["value"])
        if not name or tag not in ("input", "select", "textarea", "button"):
            return
        if tag == "select":
            self._select = name
        if attrs.get("type") == "file":
            self.files.add(name)
            return
        values = self.fields.setdefault(name, set())
        if attrs.get("value") and name != "csrfmiddlewaretoken":
            values.add(attrs["value"])

    _select = ""


def _clients(world) -> dict[str, Client]:
    clients = {role: Client() for role in ROLES}
    clients["citizen"].force_login(world.citizen)
    clients["co_lead"].force_login(world.co_lead)
    return clients


def _discover_fields(clients, url: str) -> FormFields:
    found = FormFields()
    for role in ("co_lead", "citizen"):
        try:
            with transaction.atomic():
                response = clients[role].get(url)
                transaction.set_rollback(True)
        except Exception:  # noqa: BLE001 - reported by the sweep itself
            continue
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            found.feed(response.content.decode(errors="replace"))
    return found


class Findings:
    """Server errors and refused requests that changed the database, one line per cause."""

    def __init__(self, baseline: tuple[int, ...]):
        self.causes: dict[str, str] = {}
        self.baseline = baseline

    def ask(self, client: Client, method: str, url: str, data=None) -> None:
        """Make one request in a savepoint rolled back after it: the database before it is
        always the world's baseline."""
        try:
            with transaction.atomic():
                response = getattr(client, method)(url, data or {})
                status = response.status_code
                changed = 400 <= status < 500 and fingerprint() != self.baseline
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - every exception is a finding
            frames = [f for f in traceback.extract_tb(error.__traceback__) if "coproduce" in f[0]]
            where = f"{frames[-1].filename.split('src/')[-1]}:{frames[-1].lineno}" if frames else ""
            key = f"{type(error).__name__} at {where}"
            self.causes.setdefault(key, f"{method.upper()} {url[:200]} -> {error!r}"[:500])
            return
        if status >= 500:
            self.causes.setdefault(f"{status} on {url.split('?')[0][:120]}", f"{method} {url}")
        if changed:
            self.causes.setdefault(f"refused {status} but changed the database: {url}", method)

    def check(self) -> None:
        assert not self.causes, "\n".join(f"{key}\n    {text}" for key, text in self.causes.items())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at the end; every request is
    made in a savepoint rolled back after it, so each one meets the same world."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        built.baseline = fingerprint()
        yield built
        transaction.set_rollback(True)


def _values(world, route: Route) -> dict[str, str]:
    return {param.name: _real_value(world, route, param) for param in route.params}


#: Fields whose value picks what a view does (which of a page's forms was sent).
BRANCH_FIELDS = ("form", "action")


def _branches(fields: FormFields) -> list[dict]:
    """One choice per branch a page's forms lead to: ``{"form": "delete"}``..."""
    branches = [
        {name: value} for name in BRANCH_FIELDS for value in sorted(fields.fields.get(name, ()))
    ]
    return branches or [{}]


def _form(fields: FormFields, value: str, branch: dict) -> dict:
    """Every field, those the page shows and those views read without showing them, set to
    ``value``; fields offering choices keep a real one when ``value`` is blank."""
    data = {name: value for name in EXTRA_FIELDS}
    for name, offered in fields.fields.items():
        data[name] = sorted(offered)[0] if offered and not value.strip() else value
    for name in fields.files:
        data[name] = SimpleUploadedFile("junk.csv", value.encode(errors="replace"))
    return {**data, **branch}


@pytest.mark.django_db
@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda route: route.template)
def test_junk_in_the_path_and_the_form_is_never_a_server_error(world, route, quiet_requests):
    findings = Findings(world.baseline)
    clients = _clients(world)
    real = _values(world, route)
    url = route.fill(real)
    admin = _is_admin(route)
    fields = FormFields() if admin else _discover_fields(clients, url)
    for role, client in clients.items():
        findings.ask(client, "get", url)
        findings.ask(client, "post", url)
        methods = ("get", "post") if role == "co_lead" else ("get",)
        for param in route.params:
            for junk in PATH_JUNK[:1] if admin else PATH_JUNK:
                for method in methods:
                    findings.ask(client, method, route.fill({**real, param.name: junk}))
        if admin or role == "anonymous":
            continue
        for branch in _branches(fields):
            for value in NASTY if role == "co_lead" else NASTY[::6]:
                findings.ask(client, "post", url, _form(fields, value, branch))
            findings.ask(client, "post", url, _form(fields, MEGABYTE, branch))
        for value in NASTY[::3]:
            names = [*fields.fields, *EXTRA_FIELDS]
            findings.ask(client, "get", url, {name: value for name in names})
            if route.name.startswith("open311:"):  # an API: each parameter on its own
                for name in OPEN311_FIELDS:
                    findings.ask(client, "get", url, {name: value})
                    findings.ask(client, "post", url, {**OPEN311_REPORT, name: value})
    findings.check()


def _field_values(offered: set[str]):
    real = st.sampled_from(sorted(offered)) if offered else st.nothing()
    one = st.one_of(real, junk_text) if offered else junk_text
    return st.one_of(one.map(lambda v: [v]), st.lists(one, min_size=2, max_size=3), st.just(None))


@st.composite
def form_data(draw, fields: FormFields) -> dict:
    """Each field real, junk, repeated or missing; sometimes a field the form does not show."""
    data = {}
    for name in sorted(fields.fields):
        values = draw(_field_values(fields.fields[name]))
        if values is not None:
            data[name] = values
    names = st.sampled_from(EXTRA_FIELDS + OPEN311_FIELDS)
    extra = draw(st.dictionaries(names, junk_text, max_size=3))
    data.update(extra)
    for name in fields.files:
        content = draw(st.one_of(st.binary(max_size=200), junk_text.map(str.encode)))
        data[name] = SimpleUploadedFile(draw(st.sampled_from(["a.csv", "a.pb", "a"])), content)
    return data


FUZZ_ROUTES = [route for route in ALL_ROUTES if not _is_admin(route)]


@pytest.mark.django_db
@pytest.mark.parametrize("route", FUZZ_ROUTES, ids=lambda route: route.template)
def test_generated_forms_are_never_a_server_error(world, route, quiet_requests):
    clients = _clients(world)
    url = route.fill(_values(world, route))
    fields = _discover_fields(clients, url)
    findings = Findings(world.baseline)

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(role=st.sampled_from(ROLES), data=form_data(fields), query=st.booleans())
    def attempt(role, data, query):
        if query:
            plain = {k: v for k, v in data.items() if not hasattr(v, "read")}
            findings.ask(clients[role], "get", url, plain)
        else:
            findings.ask(clients[role], "post", url, data)

    attempt()
    findings.check()

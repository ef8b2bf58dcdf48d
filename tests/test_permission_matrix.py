"""The permission matrix, checked: every URL pattern and every service, as each of nine roles,
is allowed or refused as ``permission_matrix.py`` says (read its docstring for the notation).

The URL rows are read in one world (``permission_world.build_world``), built once for them all:
each request runs in a savepoint rolled back afterwards, so a POST that succeeds changes nothing
the next one sees. Each service row builds its own objects, as the services contract does, and
puts each role in the actor's place, again in a savepoint. A failure names every wrong cell and
prints the cell as the code behaves now, in the table's notation.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import reverse

import permission_matrix as matrix
from coproduce.audit.models import AuditEntry
from factories import InitiativeFactory
from permission_matrix import (
    CO_LEADS,
    HANDLERS,
    NOBODY,
    PARTICIPANTS,
    PUBLIC,
    SERVICES,
    SIGNED_IN,
    URLS,
    VERIFIED,
    Roles,
)
from permission_world import (
    ADMIN,
    ANONYMOUS,
    CITIZEN,
    ROLES,
    build_world,
    cast,
    discovered_services,
    initiative_of,
    service,
    url_routes,
)

ALLOWED, REFUSED, NOT_ACCEPTED = "allowed", "refused", "not accepted (405)"
LOGIN_REDIRECT = f"{REFUSED} (redirect to log in)"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


# -- Every URL and every service has its row --------------------------------------------------


def test_every_url_has_its_row():
    missing = sorted(set(url_routes()) - set(URLS))
    assert not missing, (
        f"These URL patterns have no row in URLS (tests/permission_matrix.py): {missing}. Add "
        "one saying how to fill its path from the world and which roles may GET and POST it."
    )


def test_url_rows_name_existing_urls():
    unknown = sorted(set(URLS) - set(url_routes()))
    assert not unknown, f"URLS has rows for URL patterns that no longer exist: {unknown}"


def test_every_service_has_its_roles():
    found = discovered_services()
    missing = sorted(set(found) - set(SERVICES))
    assert not missing, (
        f"These services have no row in SERVICES (tests/permission_matrix.py): {missing}."
    )
    without = sorted(name for name, row in SERVICES.items() if row.actor_arg and row.roles is None)
    assert not without, (
        f"These rows of SERVICES do not say which roles may call the service: {without}. Add "
        "roles=... (see the notation at the top of tests/permission_matrix.py)."
    )


def test_rows_that_allow_nobody_say_who_may():
    rows = [(f"URLS[{key!r}]", row.note, [row.get, row.post]) for key, row in URLS.items()]
    rows += [(f"SERVICES[{name!r}]", row.note, [row.roles]) for name, row in SERVICES.items()]
    silent = [
        label
        for label, note, cells in rows
        if not note and all(cell is not None and not cell for cell in cells)
    ]
    assert not silent, f"Rows allowing none of the nine roles must say who may, in note=: {silent}"


# -- Writing what came back in the table's notation --------------------------------------------

PRESETS = {
    "PUBLIC": PUBLIC,
    "SIGNED_IN": SIGNED_IN,
    "VERIFIED": VERIFIED,
    "PARTICIPANTS": PARTICIPANTS,
    "HANDLERS": HANDLERS,
    "CO_LEADS": CO_LEADS,
    "ADMIN": matrix.ADMIN,
    "NOBODY": NOBODY,
}


def _names(roles: Roles) -> str:
    return "{" + ", ".join(role.upper() for role in ROLES if role in roles) + "}"


def notation(roles: Roles) -> str:
    """``roles`` as a cell of the table would write it, to paste into a row (the admin role is
    only ever written as the preset ``ADMIN``)."""
    exact = next((name for name, preset in PRESETS.items() if preset == roles), None)
    if exact:
        return exact
    options = [
        f"{name} - {_names(preset - roles)}"
        for name, preset in PRESETS.items()
        if roles < preset and ADMIN not in preset - roles
    ]
    if ADMIN in roles:
        options.append(f"{notation(roles - {ADMIN})} | ADMIN")
    else:
        options += [
            f"{name} | {notation(roles - preset)}"
            for name, preset in PRESETS.items()
            if preset and preset < roles
        ]
        options.append(_names(roles))
    return min(options, key=len)


@pytest.mark.parametrize(
    ("roles", "written"),
    [
        (CO_LEADS | matrix.ADMIN, "CO_LEADS | ADMIN"),
        (SIGNED_IN - {CITIZEN}, "SIGNED_IN - {CITIZEN}"),
        (HANDLERS | {CITIZEN} | matrix.ADMIN, "HANDLERS | {CITIZEN} | ADMIN"),
        (NOBODY, "NOBODY"),
    ],
)
def test_a_failure_writes_the_cell_as_the_table_would(roles, written):
    assert notation(frozenset(roles)) == written
    assert eval(written, vars(matrix)) == roles  # the notation reads back as the same set


def mismatches(expected: dict[str, Roles], seen: dict[str, dict[str, str]]) -> list[str]:
    """One line per wrong cell, and what the row would say to match what came back."""
    lines = []
    for label, roles in expected.items():
        answers = seen[label]
        wrong = [
            f"  {label} as {role}: expected {ALLOWED if role in roles else REFUSED}, got {got}"
            for role, got in answers.items()
            if not got.startswith(ALLOWED if role in roles else REFUSED)
        ]
        if wrong:
            allowed = frozenset(role for role, got in answers.items() if got.startswith(ALLOWED))
            lines += [*wrong, f"  ({label} as it behaves now: {notation(allowed)})"]
    return lines


# -- URLs ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def media_root(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, media_root):
    """The conftest's fixture of the same name, with the world's media folder: the world's
    service request has a photo, stored once for the module."""
    settings.MEDIA_ROOT = media_root
    settings.PASSWORD_HASHERS = [FAST_HASHER]


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker, media_root):
    """The world, built once for the URL rows and rolled back after them (before the service
    rows, which build their own), with a signed-in session for each role but the anonymous
    visitor."""
    hashers = {"PASSWORD_HASHERS": [FAST_HASHER], "MEDIA_ROOT": media_root}
    with django_db_blocker.unblock(), override_settings(**hashers), transaction.atomic():
        built = build_world()
        sessions = {}
        for role, person in built.people.items():
            if role != ANONYMOUS:
                client = Client()
                client.force_login(person)
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield built, sessions
        transaction.set_rollback(True)


def _verdict(response) -> str:
    status = response.status_code
    if status == 405:
        return NOT_ACCEPTED
    if status in (401, 403, 404):
        return f"{REFUSED} ({status})"
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        if target == resolve_url(settings.LOGIN_URL):
            return LOGIN_REDIRECT
        return f"{ALLOWED} ({status} to {target})"
    return f"{ALLOWED} ({status})"


def _in_savepoint(call: Callable[[], str]) -> str:
    """Run ``call`` and undo whatever it wrote; a refusal that wrote an audit entry is
    reported as such."""
    before = AuditEntry.objects.count()
    savepoint = transaction.savepoint()
    try:
        verdict = call()
        wrote = AuditEntry.objects.count() != before
        if wrote and verdict == LOGIN_REDIRECT:
            # It did what was asked, then asked to log in (a confirmation link does).
            verdict = f"{ALLOWED} (wrote, then redirected to log in)"
        elif wrote and verdict.startswith(REFUSED):
            verdict = f"{verdict}, but an audit entry was written"
    finally:
        transaction.savepoint_rollback(savepoint)
    return verdict


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        (LOGIN_REDIRECT, f"{ALLOWED} (wrote, then redirected to log in)"),
        (f"{REFUSED} (403)", f"{REFUSED} (403), but an audit entry was written"),
    ],
)
def test_a_request_that_wrote_was_not_refused_quietly(answer, verdict):
    def call() -> str:
        service("audit_record")(actor=None, action="matrix.check")
        return answer

    assert _in_savepoint(call) == verdict
    assert not AuditEntry.objects.exists()  # and what it wrote is undone


def _request(sessions: dict, role: str, method: str, path: str, data: dict) -> str:
    client = Client()
    if role in sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    return _in_savepoint(
        lambda: _verdict(client.get(path) if method == "GET" else client.post(path, data))
    )


@pytest.mark.django_db
class TestUrls:
    """One test per URL row, all in the one world."""

    @pytest.mark.parametrize("key", sorted(URLS))
    def test_url(self, key, world):
        built, sessions = world
        routes = url_routes()
        if key not in routes:
            pytest.skip(f"{key} is not in the URLconf")
        row = URLS[key]
        path = _path(routes[key], row.path(built))
        wrong = _url_mismatches(row, built, sessions, path)
        assert not wrong, f"{key} ({path}) does not answer as its row says:\n" + "\n".join(wrong)


def _url_mismatches(row, built, sessions: dict, path: str) -> list[str]:
    expected, seen, not_accepted = {}, {}, []
    requests = [("GET", "GET", row.get, {}), ("POST", "POST", row.post, row.data(built))]
    requests += [(f"POST {case.label}", "POST", case.roles, case.data(built)) for case in row.cases]
    for label, method, roles, data in requests:
        if roles is None:
            got = _request(sessions, ADMIN, method, path, data)
            if got != NOT_ACCEPTED:
                not_accepted.append(f"  {method} as admin: expected {NOT_ACCEPTED}, got {got}")
            continue
        expected[label] = roles
        seen[label] = {role: _request(sessions, role, method, path, data) for role in ROLES}
    return not_accepted + mismatches(expected, seen)


def _path(route, filled: dict[str, Any] | str) -> str:
    """The route's address: a named route reversed with its path parameters; a route without
    a name has its row give the address itself."""
    return filled if isinstance(filled, str) else reverse(route.key, kwargs=filled)


# -- Services ------------------------------------------------------------------------------------


def _models(kwargs: dict[str, Any]) -> dict[str, tuple[models.Model, Any]]:
    return {
        key: (value, value.pk)
        for key, value in kwargs.items()
        if isinstance(value, models.Model) and value.pk is not None
    }


def _refresh(saved: dict[str, tuple[models.Model, Any]]) -> None:
    """Forget what an allowed call changed in the objects' memory (the database has rolled
    back already; a deletion had also cleared the object's id)."""
    for instance, pk in saved.values():
        instance.pk = pk
        instance.refresh_from_db()


def _call(name: str, kwargs: dict[str, Any], row, person) -> str:
    """Call the service as it is called in production: inside no transaction of ours but the
    savepoint, so a refusal that wrote before refusing is seen."""
    if row.theirs:
        row.theirs(kwargs, person)
    try:
        service(name)(**kwargs)
    except PermissionDenied:
        return REFUSED
    except ValidationError as error:
        return f"{ALLOWED} (ValidationError: {' '.join(error.messages)[:80]})"
    return ALLOWED


SERVICE_ROWS = sorted(
    name for name, row in SERVICES.items() if row.actor_arg and row.roles is not None
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SERVICE_ROWS)
def test_service(name):
    if name not in discovered_services():
        pytest.skip(f"{name} is not installed")
    row = SERVICES[name]
    kwargs = row.build()
    initiative = next(filter(None, map(initiative_of, kwargs.values())), None)
    people = cast(initiative or InitiativeFactory())
    seen, saved = {}, _models(kwargs)
    for role in ROLES:
        _refresh(saved)
        args = {**kwargs, row.actor_arg: people[role], **dict.fromkeys(row.own, people[role])}
        seen[role] = _in_savepoint(
            lambda args=args, person=people[role]: _call(name, args, row, person)
        )
    wrong = mismatches({name: row.roles}, {name: seen})
    assert not wrong, f"{name} does not answer as its row says:\n" + "\n".join(wrong)

import datetime as dt
import os
import shutil

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation

from coproduce.audit.keys import write_new_key
from coproduce.cli import prepare_sqlite_directories
from coproduce.initiatives.models import Participation
from factories import (
    PASSWORD,
    InitiativeFactory,
    ParticipationFactory,
    PersonFactory,
    ShiftFactory,
    TaskFactory,
)


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English: a request in another language must not leak into the next
    test through the thread's active translation."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """pytest-django asks this fixture before it creates the test database: the settings create
    no directory when imported, so make the SQLite file's directory here."""
    prepare_sqlite_directories()


@pytest.fixture(scope="session", autouse=True)
def audit_signing_key(tmp_path_factory):
    """Checkpoints made by tests are signed with a key of the session's own, never with the
    demo's key file under var/."""
    path = tmp_path_factory.mktemp("audit") / "signing-key.pem"
    key = write_new_key(path)
    with override_settings(
        AUDIT_SIGNING_KEY="", AUDIT_SIGNING_KEY_FILE=str(path), AUDIT_PREVIOUS_PUBLIC_KEYS=[]
    ):
        yield key


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def initiative(db):
    return InitiativeFactory()


@pytest.fixture
def co_lead(initiative):
    return ParticipationFactory(
        initiative=initiative, role=Participation.Role.CO_LEAD, channel="founder"
    ).person


@pytest.fixture
def citizen(initiative):
    return ParticipationFactory(initiative=initiative, role=Participation.Role.CITIZEN).person


@pytest.fixture
def outsider(db):
    return PersonFactory()


@pytest.fixture
def administrator(db):
    return PersonFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (as .ci/run does)")


# Browser tests: Playwright for Python driving Debian's Chromium against the live test server.
# One browser for the whole session, shared by tests/e2e and the apps' browser tests.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
# (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; 'make test' installs it as root.")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A browser tab on the live server. A test fails if the page breaks the site's own
    Content-Security-Policy: Chromium reports each blocked script, style or image in the console."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert violations == [], "the page broke its Content-Security-Policy"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Uploaded photos go to a throwaway folder, never to var/media; passwords are hashed with a
    fast hasher, as the property tests create hundreds of people."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture
def professional(initiative):
    return ParticipationFactory(initiative=initiative, role=Participation.Role.PROFESSIONAL).person


@pytest.fixture
def task(initiative):
    return TaskFactory(initiative=initiative, title="Home safety visit", work_type="home visit")


@pytest.fixture
def shift(task, professional):
    return ShiftFactory(task=task, capacity=2, professional=professional)


@pytest.fixture
def past_shift(task, professional):
    start = (timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)
    return ShiftFactory(
        task=task,
        capacity=3,
        professional=professional,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2, minutes=30),
    )


@pytest.fixture
def before(shift):
    """A moment before the shift, to sign people up to shifts that are over by now."""
    return shift.starts_at - dt.timedelta(days=1)


@pytest.fixture
def quiet_requests(caplog):
    """The fuzz tests make thousands of refused requests: Django's warning for each is noise."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)

"""Settings read the environment and create nothing on disk when imported."""

import os
import subprocess
import sys

import pytest
from django.core import mail

from coproduce.initiatives import services
from factories import InitiativeFactory, ParticipationFactory


def test_importing_the_settings_creates_no_directory(tmp_path):
    environment = {**os.environ, "COPRODUCE_HOME": str(tmp_path)}
    environment.pop("STATIC_ROOT", None)
    environment.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", "import coproduce.settings"], env=environment, check=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_email_links_use_site_url(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://coproduce.example.org"
    initiative = InitiativeFactory()
    lead = ParticipationFactory(initiative=initiative, role="co_lead").person
    with django_capture_on_commit_callbacks(execute=True):
        services.co_lead_invite(actor=lead, initiative=initiative, email="new@example.org")
    assert "https://coproduce.example.org/" in mail.outbox[0].body


STRONG_KEY = "k3Y-" + "x7Qp9Lm2Vb8Nc4Rt6Wz1Hs5Jd0Fg3Ka" * 2


def production(tmp_path, **extra: str) -> dict[str, str]:
    """The environment of a production start: only what the test gives, over a clean slate (the
    test run's own variables, such as the browser tests' async switch, are not production's)."""
    environment = {**os.environ, "COPRODUCE_HOME": str(tmp_path), "HTTPS": "true"}
    for name in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"):
        environment.pop(name, None)
    return {**environment, **extra}


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "the demo's key, which is public"),
        ("a-short-secret-of-32-characters!", "has 32 characters"),
        ("ab" * 30, "too easy to guess"),
    ],
    ids=["demo-key", "short", "guessable"],
)
def test_production_refuses_to_start_with_a_known_or_weak_key(tmp_path, key, reason):
    environment = production(tmp_path, **({"SECRET_KEY": key} if key else {}))
    # What gunicorn loads, and what every management command loads.
    wsgi = subprocess.run(
        [sys.executable, "-c", "import coproduce.wsgi"], env=environment, capture_output=True
    )
    assert wsgi.returncode != 0 and "ImproperlyConfigured" in wsgi.stderr.decode()
    assert reason in wsgi.stderr.decode()
    command = subprocess.run(
        [sys.executable, "-m", "coproduce.cli", "migrate"], env=environment, capture_output=True
    )
    assert command.returncode == 2
    assert command.stderr.decode().startswith("coproduce: HTTPS is on (production) but")
    assert "Traceback" not in command.stderr.decode()


def test_the_demo_key_still_starts_the_demo_without_https(tmp_path):
    environment = {**os.environ, "COPRODUCE_HOME": str(tmp_path), "HTTPS": "false"}
    environment.pop("SECRET_KEY", None)
    subprocess.run([sys.executable, "-c", "import coproduce.wsgi"], env=environment, check=True)


def test_the_deployment_check_is_clean_in_production_settings(tmp_path):
    environment = production(tmp_path, SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="coproduce.example.org")
    check = subprocess.run(
        [sys.executable, "-m", "coproduce.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "System check identified no issues" in check.stdout
    assert "WARNING" not in check.stderr + check.stdout

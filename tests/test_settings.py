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

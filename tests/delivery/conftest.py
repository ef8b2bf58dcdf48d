"""Fixtures of the co-delivery tests; the project-wide ones come from tests/conftest.py."""

import datetime as dt

import pytest
from django.utils import timezone

from coproduce.initiatives.models import Participation
from delivery.factories_delivery import ShiftFactory, TaskFactory
from factories import ParticipationFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Uploaded photos go to a throwaway folder, never to var/media; passwords are hashed with a
    fast hasher, as the property tests create hundreds of people."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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

import pytest
from django.db import connection

from coproduce.initiatives.models import Participation
from factories import PASSWORD, InitiativeFactory, ParticipationFactory, PersonFactory


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

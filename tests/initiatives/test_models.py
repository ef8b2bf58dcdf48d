import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coproduce.initiatives.models import Participation, Phase


@pytest.mark.django_db
def test_a_person_takes_part_once_per_initiative(initiative, citizen):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(
            person=citizen,
            initiative=initiative,
            role=Participation.Role.OBSERVER,
            channel="self",
            joined_at=timezone.now(),
        )


@pytest.mark.django_db
def test_each_kind_of_phase_appears_once_per_initiative(initiative):
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(initiative=initiative, kind=Phase.Kind.DESIGN)


@pytest.mark.django_db
def test_the_database_refuses_a_phase_ending_before_it_starts(initiative):
    phase = initiative.phases.get(kind=Phase.Kind.DESIGN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.filter(pk=phase.pk).update(
            starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 4, 1)
        )


@pytest.mark.django_db
def test_shared_space_is_an_initiative_without_host(initiative):
    assert not initiative.is_shared_space
    initiative.host = None
    assert initiative.is_shared_space

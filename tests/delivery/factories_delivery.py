"""Factories for co-delivery rows. They write rows directly; tests of services call services."""

import datetime as dt

import factory
from django.utils import timezone

from coproduce.delivery.models import ApiKey, RequestCategory, Shift, Task, Timebank
from factories import InitiativeFactory


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    description = "Work alongside the professionals."
    address = "12 Station Road"
    status = Task.Status.OPEN


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    task = factory.SubFactory(TaskFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda shift: shift.starts_at + dt.timedelta(hours=3))
    capacity = 3


class RequestCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestCategory

    initiative = factory.SubFactory(InitiativeFactory)
    code = factory.Sequence(lambda n: f"fly-tipping-{n}")
    name = "Fly-tipping"
    description = "Rubbish dumped in a street or an alley."
    group = "Public space"
    service_notice = "Cleared within two weeks."


class ApiKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"City app {n}")


class TimebankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Timebank

    initiative = factory.SubFactory(InitiativeFactory)

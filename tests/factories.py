"""Factories for test fixtures. They write rows directly; tests of services call the services."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from coproduce.commissioning import services as budget_services
from coproduce.commissioning.models import Proposal
from coproduce.delivery.models import Shift, Task
from coproduce.initiatives.models import Initiative, Participation, Phase, Service, ServiceSector
from coproduce.people.models import Membership, Organisation, Person, Sector
from coproduce.service_requests.models import ApiKey, RequestCategory
from coproduce.timebank.models import Timebank

PASSWORD = "a-long-test-password-7"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    email_confirmed = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    sectors = factory.LazyFunction(lambda: [Sector.PUBLIC])
    area = "Riverside"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.STAFF


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    sector = ServiceSector.FIRE_RESCUE
    funder = factory.SubFactory(OrganisationFactory)


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    service = factory.SubFactory(ServiceFactory)
    level = Initiative.Level.CO_PRODUCTION
    host = factory.SubFactory(OrganisationFactory)
    area = "Riverside"
    status = Initiative.Status.ACTIVE
    summary = "Neighbours and professionals working together."

    @factory.post_generation
    def phases(obj, create, extracted, **kwargs):
        """Four phases; the first is under way unless ``phases={kind: status}`` says otherwise."""
        if not create:
            return
        statuses = extracted or {Phase.Kind.COMMISSION: Phase.Status.OPEN}
        start = dt.date(2026, 1, 1)
        for index, kind in enumerate(Phase.ORDER):
            Phase.objects.create(
                initiative=obj,
                kind=kind,
                starts_on=start + dt.timedelta(days=90 * index),
                ends_on=start + dt.timedelta(days=90 * index + 80),
                status=statuses.get(kind, Phase.Status.PLANNED),
            )


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    person = factory.SubFactory(PersonFactory)
    initiative = factory.SubFactory(InitiativeFactory)
    role = Participation.Role.CITIZEN
    channel = Participation.Channel.SELF
    joined_at = factory.LazyFunction(timezone.now)


def add_project(budget, actor, area_name, title, cost) -> Proposal:
    """Submit a proposal through the service, as a resident would."""
    return budget_services.proposal_submit(
        actor=actor,
        budget=budget,
        area=budget.areas.get(name=area_name),
        title=title,
        description=f"{title}: a project for the neighbourhood.",
        estimated_cost=Decimal(cost),
    )


def code_of(budget, title: str) -> str:
    return budget.proposals.get(title=title).code


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
    """An API key; the key itself, which the database never holds, is left on ``.key``."""

    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"City app {n}")
    key = factory.LazyFunction(ApiKey.new_key)

    @classmethod
    def _create(cls, model_class, *args, key: str, **kwargs):
        api_key = model_class(*args, **kwargs)
        api_key.set_key(key)
        api_key.save()
        api_key.key = key
        return api_key


class TimebankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Timebank

    initiative = factory.SubFactory(InitiativeFactory)

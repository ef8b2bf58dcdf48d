"""A year of co-delivery history for the demo initiatives: tasks and shifts with sign-ups and
confirmed hours, other contributions (professionals' time, organisations' rooms and materials,
a few pending, disputed and corrected entries), a timebank with exchanges, and service requests.

Everything goes through the delivery services, with their clock set to the moment each thing
happened, so the audit log, the counters and the balances are exactly what real use would leave.
The same seed gives the same history (relative to the day it is loaded).
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from coproduce.delivery import services as delivery_services
from coproduce.initiatives.models import Initiative, Participation, Phase
from coproduce.initiatives.services import initiative_join
from coproduce.ledger import entries as ledger_entries
from coproduce.ledger import services as ledger_services
from coproduce.ledger.models import Capacity, Contribution, ContributionKind
from coproduce.people.models import Person
from coproduce.service_requests import services as service_requests_services
from coproduce.service_requests.models import CategoryAttribute, RequestCategory, ServiceRequest
from coproduce.timebank import services as timebank_services
from coproduce.timebank.models import TimebankCategory

# Replacement-cost rates (per hour or unit) by currency: a care worker's, a gardener's or a
# firefighter's hourly cost, a community room, a smoke alarm.
RATES = {
    "GBP": {"time": 15, "skilled": 24, "rooms": 25, "materials": 12, "tools": 8, "expertise": 45},
    "EUR": {"time": 17, "skilled": 27, "rooms": 28, "materials": 14, "tools": 9, "expertise": 50},
    "SEK": {
        "time": 190,
        "skilled": 300,
        "rooms": 320,
        "materials": 150,
        "tools": 100,
        "expertise": 550,
    },
}

# Approximate centres of the places the demo cases are set in, to put tasks on the map.
PLACES = {
    "millbrook": (53.4925, -2.0390, "GBP"),
    "croix-rousse": (45.7745, 4.8320, "EUR"),
    "lyon": (45.7640, 4.8357, "EUR"),
    "majorna": (57.6960, 11.9250, "SEK"),
    "lombok": (52.0925, 5.1040, "EUR"),
    "toulouse": (43.6047, 1.4442, "EUR"),
    "fives": (50.6310, 3.0880, "EUR"),
    "lille": (50.6292, 3.0573, "EUR"),
    "roubaix": (50.6942, 3.1746, "EUR"),
    "paris": (48.8566, 2.3522, "EUR"),
    "rotterdam": (51.9244, 4.4777, "EUR"),
    "amsterdam": (52.3676, 4.9041, "EUR"),
    "utrecht": (52.0907, 5.1214, "EUR"),
    "stockholm": (59.3293, 18.0686, "SEK"),
    "göteborg": (57.7089, 11.9746, "SEK"),
    "gothenburg": (57.7089, 11.9746, "SEK"),
    "malmö": (55.6050, 13.0038, "SEK"),
    "uppsala": (59.8586, 17.6389, "SEK"),
    "merseyside": (53.4084, -2.9916, "GBP"),
    "liverpool": (53.4084, -2.9916, "GBP"),
    "manchester": (53.4808, -2.2426, "GBP"),
    "salford": (53.4875, -2.2901, "GBP"),
    "birmingham": (52.4862, -1.8904, "GBP"),
    "leeds": (53.8008, -1.5491, "GBP"),
    "bristol": (51.4545, -2.5879, "GBP"),
    "london": (51.5072, -0.1276, "GBP"),
    "glasgow": (55.8642, -4.2518, "GBP"),
    "edinburgh": (55.9533, -3.1883, "GBP"),
    "cardiff": (51.4816, -3.1791, "GBP"),
}


@dataclass(frozen=True)
class TaskSpec:
    title: str
    description: str
    work_type: str
    skills: str
    hours: float
    capacity: int
    every_days: int
    start_hour: int
    requirement: str = ""
    street: str = ""


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    group: str
    notice: str
    question: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Profile:
    tasks: tuple[TaskSpec, ...]
    categories: tuple[CategorySpec, ...]
    in_kind: tuple[tuple[str, str, int, int], ...]  # kind, description, min, max units
    timebank: bool = False
    requests_per_year: int = 18


FIRE = Profile(
    tasks=(
        TaskSpec(
            "Home safety visit",
            "A volunteer and a firefighter visit an older resident together: test the smoke "
            "alarms, talk through the way out in a fire, look for trip and fall risks.",
            "home safety visit",
            "listening, patience",
            2.5,
            2,
            7,
            10,
            "Background check (DBS)",
            "Visits across the area",
        ),
        TaskSpec(
            "Smoke alarm fitting day",
            "Fit free smoke alarms in homes that asked for one, with the crew from the station.",
            "alarm fitting",
            "DIY, ladders",
            4,
            6,
            28,
            9,
            "Ladder safety training",
            "Fire station yard",
        ),
        TaskSpec(
            "Safety stall at the market",
            "Talk to passers-by about fire safety and book home visits.",
            "outreach",
            "talking to strangers",
            3,
            4,
            14,
            11,
            "",
            "Market square",
        ),
    ),
    categories=(
        CategorySpec(
            "smoke-alarm",
            "Broken or missing smoke alarm",
            "Home safety",
            "A volunteer and a firefighter will contact you within a week.",
            "Who lives in the home?",
            (("older", "Someone over 65"), ("child", "Young children"), ("other", "Other")),
        ),
        CategorySpec(
            "blocked-exit",
            "Blocked fire exit or escape route",
            "Home safety",
            "The station will look at it within 48 hours.",
        ),
    ),
    in_kind=(("materials", "Smoke alarms", 10, 40), ("rooms", "Community room", 2, 6)),
)

SAFETY = Profile(
    tasks=(
        TaskSpec(
            "Evening neighbourhood walk",
            "Walk the streets in pairs with the community police officer: note broken lights, "
            "unsafe corners and doors left open, and say hello.",
            "neighbourhood walk",
            "observation, talking to neighbours",
            2,
            4,
            7,
            19,
            "Walk briefing",
            "Meet at the community centre",
        ),
        TaskSpec(
            "Bike marking and lock advice",
            "Engrave postcodes on bikes and show better locks, with the police.",
            "bike marking",
            "",
            3,
            4,
            28,
            10,
            "",
            "Market square",
        ),
        TaskSpec(
            "Street meeting helper",
            "Set up and host a street meeting where residents and the city talk about safety.",
            "community work",
            "",
            2.5,
            3,
            28,
            18,
            "",
            "Community centre",
        ),
    ),
    categories=(
        CategorySpec(
            "street-light",
            "Broken street light",
            "Streets",
            "The walkers check it on their next round and the city repairs it.",
        ),
        CategorySpec(
            "unsafe-spot",
            "A spot that feels unsafe",
            "Streets",
            "Discussed at the next street meeting with the police and the city.",
            "When does it feel unsafe?",
            (("day", "During the day"), ("evening", "In the evening"), ("night", "At night")),
        ),
    ),
    in_kind=(("rooms", "Community centre room", 2, 4), ("materials", "Torches and vests", 2, 10)),
)

PUBLIC_SPACE = Profile(
    tasks=(
        TaskSpec(
            "Alley planting day",
            "Plant and mulch the beds of a green alley with the neighbours and the council's "
            "gardeners. Tools and gloves provided.",
            "gardening",
            "gardening",
            4,
            8,
            14,
            9,
            "",
            "Green alley, north end",
        ),
        TaskSpec(
            "Litter pick and tidy-up",
            "Clear litter and fly-tipped rubbish, then sort what can be recycled.",
            "cleaning",
            "",
            2,
            10,
            21,
            10,
            "",
            "Meet at the square",
        ),
        TaskSpec(
            "Watering rota",
            "Water the new planting on summer evenings.",
            "gardening",
            "",
            1,
            2,
            7,
            18,
            "",
            "Green alley, south end",
        ),
    ),
    categories=(
        CategorySpec(
            "fly-tipping",
            "Fly-tipping in an alley or street",
            "Public space",
            "Volunteers and the council's team clear reports within two weeks.",
            "How big is it?",
            (("bag", "A few bags"), ("furniture", "Furniture"), ("van", "A van load or more")),
        ),
        CategorySpec(
            "bench-repair",
            "Bench or planter to repair",
            "Public space",
            "A repair evening is organised every month.",
        ),
    ),
    in_kind=(("tools", "Garden tools (days)", 2, 8), ("materials", "Plants and compost", 5, 30)),
    timebank=True,
)

CHILDCARE = Profile(
    tasks=(
        TaskSpec(
            "Crèche afternoon rota",
            "Parents take turns with the staff in the afternoon: play, snack time, tidying up.",
            "childcare",
            "patience, songs",
            3.5,
            2,
            7,
            13,
            "Background check",
            "Parent cooperative, ground floor",
        ),
        TaskSpec(
            "Nursery cleaning morning",
            "A deep clean of the playrooms and kitchen on a Saturday morning.",
            "cleaning",
            "",
            3,
            6,
            28,
            9,
            "",
            "Parent cooperative",
        ),
        TaskSpec(
            "Outing helper",
            "Accompany the children and staff on an outing to the park or the library.",
            "childcare",
            "",
            3,
            3,
            14,
            10,
            "Background check",
            "Parent cooperative",
        ),
    ),
    categories=(
        CategorySpec(
            "equipment",
            "Broken toy, furniture or equipment",
            "Premises",
            "The repair team of parents looks at it at the next cleaning morning.",
        ),
    ),
    in_kind=(("materials", "Craft materials and snacks", 5, 20), ("expertise", "Accounts", 2, 6)),
    timebank=True,
)

HOUSING = Profile(
    tasks=(
        TaskSpec(
            "Peer mentor for a new tenant",
            "Meet a tenant who has just moved in: show the building, the laundry, how to "
            "report a repair, and who to call.",
            "peer mentoring",
            "languages, listening",
            2,
            2,
            7,
            17,
            "Mentor training",
            "Residents' office",
        ),
        TaskSpec(
            "Stairwell repair evening",
            "Paint and fix stairwells with the housing officers; materials provided.",
            "repairs",
            "painting, DIY",
            3,
            6,
            28,
            18,
            "",
            "Block B",
        ),
        TaskSpec(
            "Tenants' welcome desk",
            "Hold the welcome desk with a housing officer.",
            "reception",
            "",
            2,
            2,
            14,
            10,
            "",
            "Residents' office",
        ),
    ),
    categories=(
        CategorySpec(
            "damp-mould",
            "Damp or mould",
            "Homes",
            "A housing officer and a trained tenant will visit within ten days.",
        ),
        CategorySpec(
            "stairwell-light",
            "Broken light in a stairwell",
            "Shared spaces",
            "Repaired at the next repair evening, or sooner if unsafe.",
        ),
        CategorySpec(
            "bulky-waste",
            "Bulky waste left in a shared space",
            "Shared spaces",
            "Cleared within two weeks.",
        ),
    ),
    in_kind=(("rooms", "Meeting room", 2, 6), ("materials", "Paint and fittings", 10, 40)),
    timebank=True,
)

CARE = Profile(
    tasks=(
        TaskSpec(
            "Befriending visit",
            "Visit an isolated older person at home for a chat, a walk or a game.",
            "befriending",
            "listening",
            1.5,
            2,
            7,
            15,
            "Background check",
            "Visits across the area",
        ),
        TaskSpec(
            "Lunch club",
            "Cook and serve a shared lunch with the care team.",
            "catering",
            "cooking",
            3,
            5,
            14,
            11,
            "Food hygiene training",
            "Community centre",
        ),
    ),
    categories=(
        CategorySpec(
            "trip-hazard",
            "Trip hazard on a pavement or path",
            "Getting around",
            "Reported to the council and checked by a volunteer within a week.",
        ),
    ),
    in_kind=(("rooms", "Community centre kitchen", 3, 6), ("materials", "Food", 20, 60)),
    timebank=True,
)

GENERIC = Profile(
    tasks=(
        TaskSpec(
            "Community action day",
            "Work alongside the professionals on the initiative's action of the month.",
            "community work",
            "",
            3,
            8,
            28,
            10,
            "",
            "Community centre",
        ),
        TaskSpec(
            "Drop-in session helper",
            "Welcome residents at the drop-in session and note their questions.",
            "reception",
            "",
            2,
            2,
            14,
            14,
            "",
            "Community centre",
        ),
    ),
    categories=(
        CategorySpec(
            "local-problem",
            "A local problem that needs action",
            "General",
            "The team reads every report within a week.",
        ),
    ),
    in_kind=(("rooms", "Meeting room", 2, 4),),
)

PROFILES = {
    "fire_rescue": FIRE,
    "community_safety": SAFETY,
    "public_space": PUBLIC_SPACE,
    "childcare": CHILDCARE,
    "education": CHILDCARE,
    "housing": HOUSING,
    "social_care": CARE,
    "health": CARE,
}

LISTINGS = (
    ("offer", TimebankCategory.GARDENING, "Help with your garden or balcony plants"),
    ("offer", TimebankCategory.REPAIRS, "Small repairs: shelves, taps, bikes"),
    ("offer", TimebankCategory.DIGITAL, "Help with online forms and phones"),
    ("offer", TimebankCategory.COOKING, "Batch cooking for a busy week"),
    ("offer", TimebankCategory.LEARNING, "Conversation practice in English or French"),
    ("offer", TimebankCategory.TRANSPORT, "Lifts to appointments on weekdays"),
    ("request", TimebankCategory.COMPANY, "A weekly walk and a chat"),
    ("request", TimebankCategory.ERRANDS, "Shopping while I recover from an operation"),
    ("request", TimebankCategory.CHILDCARE, "Someone to pick my son up from school on Fridays"),
    ("request", TimebankCategory.REPAIRS, "Putting up curtains"),
)

STREETS = (
    "Rue Pierre Legrand",
    "Station Road",
    "Church Street",
    "Mill Lane",
    "Park Avenue",
    "High Street",
    "Victoria Terrace",
    "Rue de Lannoy",
)


@dataclass
class _Counts:
    initiatives: int = 0
    skipped: list[str] = field(default_factory=list)
    tasks: int = 0
    shifts: int = 0
    signups: int = 0
    contributions: int = 0
    exchanges: int = 0
    service_requests: int = 0


def _place(initiative: Initiative) -> tuple[float, float, str] | None:
    text = " ".join(
        filter(None, [initiative.area, initiative.title, getattr(initiative.host, "area", "")])
    ).lower()
    for name, place in PLACES.items():
        if name in text:
            return place
    return None


def _moment(day: dt.date, hour: float) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)) + dt.timedelta(hours=hour))


def _people(initiative: Initiative, rng: random.Random) -> tuple[list, list, Person | None]:
    """Citizens and professionals of the initiative; a handful of other demo residents join as
    citizens when the initiative has too few volunteers to fill its shifts."""
    participations = list(
        Participation.objects.filter(initiative=initiative).select_related("person", "organisation")
    )
    leads = [p.person for p in participations if p.role == Participation.Role.CO_LEAD]
    professionals = [
        p.person
        for p in participations
        if p.role == Participation.Role.PROFESSIONAL
        or (p.role == Participation.Role.CO_LEAD and p.organisation_id)
    ]
    citizens = [
        p.person
        for p in participations
        if p.role in (Participation.Role.CITIZEN, Participation.Role.PARTNER)
    ]
    if len(citizens) < 12 and initiative.status == Initiative.Status.ACTIVE:
        others = list(
            Person.objects.filter(is_staff=False, is_active=True)
            .exclude(participations__initiative=initiative)
            .order_by("id")[:200]
        )
        rng.shuffle(others)
        for person in others[: 12 - len(citizens)]:
            initiative_join(person=person, initiative=initiative)
            citizens.append(person)
    return citizens, professionals or leads, leads[0] if leads else None


def _organisation_givers(initiative: Initiative) -> list[tuple[Person, object]]:
    return [
        (p.person, p.organisation)
        for p in Participation.objects.filter(initiative=initiative)
        .exclude(organisation=None)
        .select_related("person", "organisation")
    ]


def _rates(initiative, lead, profile: Profile, currency: str) -> None:
    table = RATES[currency]
    ledger_services.ledger_settings_update(actor=lead, initiative=initiative, currency=currency)
    rates = [
        (ContributionKind.TIME, "", table["time"], "hour"),
        (ContributionKind.ROOMS, "", table["rooms"], "hour"),
        (ContributionKind.MATERIALS, "", table["materials"], "item"),
        (ContributionKind.TOOLS, "", table["tools"], "day"),
        (ContributionKind.EXPERTISE, "", table["expertise"], "hour"),
    ]
    skilled = {
        "home safety visit",
        "alarm fitting",
        "childcare",
        "peer mentoring",
        "repairs",
        "befriending",
    }
    for spec in profile.tasks:
        if spec.work_type in skilled:
            rates.append((ContributionKind.TIME, spec.work_type, table["skilled"], "hour"))
    for kind, work_type, amount, unit in rates:
        ledger_services.valuation_rate_set(
            actor=lead,
            initiative=initiative,
            kind=kind,
            work_type=work_type,
            amount=Decimal(amount),
            unit=unit,
        )


def _tasks_and_shifts(
    initiative, lead, professionals, citizens, profile, place, rng, start, today, counts
) -> list[ledger_entries.ContributionDraft]:
    """Publish the profile's tasks with a shift rota from ``start`` to five weeks ahead; people
    sign up (some cancel, some wait), and the professional on each past shift confirms the hours
    of those who came. Returns the professionals' own time on the shifts, to be recorded."""
    supervision: list[ledger_entries.ContributionDraft] = []
    requirements = {}
    for spec in profile.tasks:
        if spec.requirement and spec.requirement not in requirements:
            requirements[spec.requirement] = delivery_services.requirement_create(
                actor=lead,
                initiative=initiative,
                name=spec.requirement,
                description="Checked by a professional of the initiative.",
                valid_days=3 * 365 if "check" in spec.requirement.lower() else None,
            )
    cleared: dict[str, list[Person]] = {}
    for name, requirement in requirements.items():
        confirmer = professionals[0]
        people = [p for p in citizens if p.pk != confirmer.pk]
        cleared[name] = rng.sample(people, k=max(len(people) * 2 // 3, min(len(people), 2)))
        for person in cleared[name]:
            delivery_services.requirement_confirm(
                actor=confirmer,
                requirement=requirement,
                person=person,
                now=_moment(start - dt.timedelta(days=rng.randint(5, 60)), 10),
            )
    supervisors = [p for p in professionals if p.pk != lead.pk] or professionals
    supervisors = supervisors[:4]
    for index, spec in enumerate(profile.tasks):
        latitude = longitude = None
        if place:
            latitude = Decimal(str(round(place[0] + rng.uniform(-0.01, 0.01), 6)))
            longitude = Decimal(str(round(place[1] + rng.uniform(-0.015, 0.015), 6)))
        task = delivery_services.task_create(
            actor=lead,
            initiative=initiative,
            title=spec.title,
            description=spec.description,
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)} — {spec.street}",
            latitude=latitude,
            longitude=longitude,
            skills=spec.skills,
            work_type=spec.work_type,
            requirements=[requirements[spec.requirement]] if spec.requirement else [],
        )
        counts.tasks += 1
        volunteers = cleared.get(spec.requirement, citizens) if spec.requirement else citizens
        volunteers = [p for p in volunteers if p not in professionals] or citizens
        day = start + dt.timedelta(days=index * 3 + rng.randint(0, 6))
        while day <= today + dt.timedelta(days=35):
            begins = _moment(day, spec.start_hour)
            shift = delivery_services.shift_create(
                actor=lead,
                task=task,
                starts_at=begins,
                ends_at=begins + dt.timedelta(hours=spec.hours),
                capacity=spec.capacity,
                professional=rng.choice(supervisors),
            )
            counts.shifts += 1
            past = shift.ends_at < timezone.now()
            # Busy summers, quiet winters: how many want this shift.
            season = 1.0 + 0.4 * (1 if day.month in (4, 5, 6, 7, 8, 9) else -1)
            wanted = min(len(volunteers), max(0, round(rng.gauss(spec.capacity * season, 1.2))))
            if not past:
                wanted = min(wanted, rng.randint(0, spec.capacity))
            signups = []
            for person in rng.sample(volunteers, k=wanted):
                signed = begins - dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 8))
                signups.append(
                    delivery_services.shift_sign_up(person=person, shift=shift, now=signed)
                )
                counts.signups += 1
            booked = [s for s in signups if s.status == "booked"]
            if booked and rng.random() < 0.12:
                dropped = rng.choice(booked)
                # The invented residents get no email while history is made.
                delivery_services.shift_signup_cancel(
                    actor=dropped.person,
                    signup=dropped,
                    now=begins - dt.timedelta(hours=20),
                    notify=False,
                )
            if past:
                shift.refresh_from_db()
                for signup in shift.signups.filter(status="booked").select_related("person"):
                    if rng.random() < 0.08:
                        continue  # did not come: no hours
                    hours = Decimal(str(spec.hours))
                    if rng.random() < 0.15:
                        hours += Decimal("0.5")
                    delivery_services.shift_hours_confirm(
                        actor=shift.professional,
                        signup=signup,
                        hours=hours,
                        now=shift.ends_at + dt.timedelta(hours=1),
                    )
                    counts.contributions += 1
                if shift.booked:
                    supervision.append(
                        ledger_entries.ContributionDraft(
                            person=shift.professional,
                            kind=ContributionKind.TIME,
                            quantity=Decimal(str(spec.hours)),
                            occurred_on=day,
                            capacity=Capacity.PROFESSIONAL,
                            activity=shift,
                            work_type="supervision",
                            description=spec.title,
                        )
                    )
            day += dt.timedelta(days=spec.every_days)
    return supervision


def _other_contributions(
    initiative, lead, professionals, citizens, profile, rng, start, end, delivering, extra, counts
) -> None:
    """Coordinators' time, organisations' rooms and materials, citizens' time outside shifts, the
    professionals' time on shifts (``extra``), and a few pending, disputed and corrected entries.
    """
    drafts = list(extra)
    days = (end - start).days
    # A few coordinators; the co-lead confirms the batch (their own hours would wait for
    # another co-lead, so they are not among them when someone else can coordinate).
    for professional in ([p for p in professionals if p.pk != lead.pk] or professionals)[:3]:
        for month in range(12):
            day = start + dt.timedelta(days=30 * month + rng.randint(0, 27))
            if day > end:
                continue
            drafts.append(
                ledger_entries.ContributionDraft(
                    person=professional,
                    kind=ContributionKind.TIME,
                    quantity=Decimal(rng.randint(4, 12)),
                    occurred_on=day,
                    capacity=Capacity.PROFESSIONAL,
                    work_type="coordination",
                    description="Coordination and supervision",
                )
            )
    for person, organisation in _organisation_givers(initiative):
        for kind, description, low, high in profile.in_kind:
            for _ in range(rng.randint(2, 5)):
                drafts.append(
                    ledger_entries.ContributionDraft(
                        person=person,
                        kind=kind,
                        quantity=Decimal(rng.randint(low, high)),
                        occurred_on=start + dt.timedelta(days=rng.randint(0, days)),
                        capacity=Capacity.ORGANISATION,
                        organisation=organisation,
                        description=description,
                    )
                )
    # Citizens' time in the workshops of co-commissioning and co-design; and, when there are no
    # shifts to record it (a completed initiative, or one not yet delivering), timesheets.
    workshop_days = min(120, days)
    for person in rng.sample(citizens, k=min(len(citizens), 8 if delivering else 40)):
        for _ in range(1 if delivering else rng.randint(1, 4)):
            drafts.append(
                ledger_entries.ContributionDraft(
                    person=person,
                    kind=ContributionKind.TIME,
                    quantity=Decimal(rng.choice([2, 2.5, 3])),
                    occurred_on=start + dt.timedelta(days=rng.randint(0, workshop_days)),
                    capacity=Capacity.CITIZEN,
                    work_type="workshop",
                    description="Co-design workshop",
                )
            )
    if initiative.status == Initiative.Status.COMPLETED:
        spec = profile.tasks[0]
        for person in rng.sample(citizens, k=min(len(citizens), 30)):
            for _ in range(rng.randint(3, 10)):
                drafts.append(
                    ledger_entries.ContributionDraft(
                        person=person,
                        kind=ContributionKind.TIME,
                        quantity=Decimal(str(spec.hours)),
                        occurred_on=end - dt.timedelta(days=rng.randint(0, min(days, 200))),
                        capacity=Capacity.CITIZEN,
                        work_type=spec.work_type,
                        description=f"{spec.title} (paper timesheet)",
                    )
                )
    counts.contributions += ledger_services.contribution_record_many(
        actor=lead,
        initiative=initiative,
        drafts=drafts,
        source=Contribution.Source.SCRIPT,
        confirm=True,
    )
    if not delivering:
        return
    # A few entries still waiting, one disputed and one corrected, as in real ledgers.
    recent = [end - dt.timedelta(days=d) for d in (1, 3, 6, 9)]
    # People record their own hours once their address is confirmed (ADR 0006).
    confirmed = [person for person in citizens if person.email_confirmed]
    for day, person in zip(recent, rng.sample(confirmed, k=min(4, len(confirmed))), strict=False):
        entry = ledger_services.contribution_record(
            actor=person,
            initiative=initiative,
            person=person,
            kind=ContributionKind.TIME,
            quantity=Decimal(rng.choice([1, 1.5, 2, 3])),
            occurred_on=day,
            description="Extra help on the day",
        )
        counts.contributions += 1
        if day == recent[-1]:
            ledger_services.contribution_dispute(
                actor=lead,
                contribution=entry,
                reason="Nobody from the team remembers this session; can you tell us more?",
            )
    confirmed = (
        Contribution.objects.filter(
            initiative=initiative,
            status=Contribution.Status.CONFIRMED,
            kind=ContributionKind.TIME,
            is_reversal=False,
            source=Contribution.Source.SHIFT,
        )
        .exclude(Q(person=lead) | Q(confirmed_by=None))
        .order_by("occurred_on", "id")
        .first()
    )
    if confirmed is not None:
        ledger_services.contribution_correct(
            actor=lead,
            contribution=confirmed,
            reason="The timesheet shows the volunteer left an hour early.",
            quantity=max(confirmed.quantity - 1, Decimal("0.5")),
        )
        counts.contributions += 2


def _timebank(initiative, lead, citizens, rng, first, today, counts) -> None:
    bank = timebank_services.timebank_open(
        actor=lead, initiative=initiative, min_balance=Decimal("-10"), max_balance=Decimal("40")
    )
    members = rng.sample(citizens, k=min(len(citizens), 10))
    if len(members) < 2:
        return
    start = max(first, today - dt.timedelta(days=330))
    listings = []
    for number, (kind, category, title) in enumerate(LISTINGS):
        listings.append(
            timebank_services.listing_create(
                person=members[number % len(members)],
                timebank=bank,
                kind=kind,
                category=category,
                title=title,
                description="Ask me through the timebank.",
                now=_moment(start + dt.timedelta(days=number * 5), 12),
            )
        )
    day = start + dt.timedelta(days=60)
    while day < today:
        listing = rng.choice(listings)
        partner = rng.choice([m for m in members if m.pk != listing.account.person_id])
        proposed = _moment(day, 10)
        exchange = timebank_services.exchange_propose(
            actor=partner,
            listing=listing,
            hours=Decimal(rng.choice([1, 1, 1.5, 2, 2, 3])),
            description=listing.title,
            now=proposed,
        )
        receiver = exchange.receiver.person
        if day < today - dt.timedelta(days=5):
            try:
                timebank_services.exchange_complete(
                    actor=receiver, exchange=exchange, now=proposed + dt.timedelta(days=3)
                )
            except ValidationError:
                timebank_services.exchange_cancel(actor=receiver, exchange=exchange)
        counts.exchanges += 1
        day += dt.timedelta(days=rng.randint(3, 9))
    for listing in listings[:2]:
        timebank_services.listing_close(actor=listing.account.person, listing=listing)


def _service_requests(
    initiative, lead, citizens, profile, place, rng, first, today, counts
) -> None:
    categories = []
    for spec in profile.categories:
        if RequestCategory.objects.filter(code=f"{initiative.slug}-{spec.code}"[:64]).exists():
            continue
        questions = []
        if spec.question:
            questions.append(
                {
                    "code": "detail",
                    "description": spec.question,
                    "datatype": CategoryAttribute.Datatype.SINGLE,
                    "values": [{"key": key, "name": name} for key, name in spec.choices],
                }
            )
        category = service_requests_services.request_category_create(
            actor=lead,
            initiative=initiative,
            code=f"{initiative.slug}-{spec.code}"[:64],
            name=spec.name,
            description=f"{spec.name} in {initiative.area}.",
            keywords=spec.group.lower(),
            group=spec.group,
            service_notice=spec.notice,
            attributes=questions,
        )
        categories.append((category, spec))
    if not categories:
        return
    # Problems are handled by the co-lead and the initiative's professionals (the rule of
    # service_requests.handle_service_requests), never by any participant.
    professionals = list(
        Person.objects.filter(
            participations__initiative=initiative,
            participations__role=Participation.Role.PROFESSIONAL,
        ).order_by("pk")
    )
    handlers = [lead, *rng.sample(professionals, k=min(3, len(professionals)))]
    for _ in range(profile.requests_per_year):
        category, spec = rng.choice(categories)
        day = today - dt.timedelta(days=rng.randint(0, max((today - first).days, 1)))
        reported = _moment(day, rng.randint(8, 20))
        latitude = longitude = None
        if place:
            latitude = Decimal(str(round(place[0] + rng.uniform(-0.012, 0.012), 6)))
            longitude = Decimal(str(round(place[1] + rng.uniform(-0.018, 0.018), 6)))
        answers = {"detail": [rng.choice(spec.choices)[0]]} if spec.choices else {}
        report = service_requests_services.service_request_create(
            category=category,
            reporter=rng.choice(citizens),
            description=f"{spec.name}: reported by a resident.",
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            latitude=latitude,
            longitude=longitude,
            attributes=answers,
            now=reported,
        )
        counts.service_requests += 1
        age = (today - day).days
        if age > 3:
            handler = rng.choice(handlers)
            service_requests_services.service_request_pick_up(
                actor=handler,
                request=report,
                note="Picked up; we will come and look.",
                now=reported + dt.timedelta(days=1),
            )
            if age > 14 and rng.random() < 0.85:
                service_requests_services.service_request_update(
                    actor=handler,
                    request=report,
                    status=ServiceRequest.Status.CLOSED,
                    note="Done with two volunteers from the street.",
                    now=reported + dt.timedelta(days=rng.randint(3, 12)),
                )


def _load_one(initiative: Initiative, rng: random.Random, today: dt.date, counts: _Counts) -> None:
    """One initiative's year of history, ending today (or when a completed initiative ended).

    Tasks, shifts, the timebank and service requests exist once co-delivery has begun; before
    that (and for a completed initiative, whose pages are closed to new work) the ledger still
    holds the time and resources given in the phases so far. Skipped (and named) when it is a
    draft, has no co-lead to publish tasks, or too few people to take part.
    """
    if initiative.status not in (Initiative.Status.ACTIVE, Initiative.Status.COMPLETED):
        counts.skipped.append(initiative.slug)
        return
    citizens, professionals, lead = _people(initiative, rng)
    if lead is None or len(citizens) < 2 or not professionals:
        counts.skipped.append(initiative.slug)
        return
    profile = PROFILES.get(initiative.service.sector, GENERIC)
    place = _place(initiative)
    currency = place[2] if place else "EUR"
    phases = {phase.kind: phase for phase in initiative.phases.all()}
    ended = [phase.ends_on for phase in phases.values() if phase.ends_on]
    end = today
    if initiative.status == Initiative.Status.COMPLETED and ended:
        end = min(max(ended), today)
    start = end - dt.timedelta(days=365)
    deliver = phases.get(Phase.Kind.DELIVER)
    delivering = (
        initiative.status == Initiative.Status.ACTIVE
        and deliver is not None
        and (
            deliver.status == Phase.Status.OPEN
            or (deliver.starts_on is not None and deliver.starts_on <= today)
        )
    )
    _rates(initiative, lead, profile, currency)
    supervision: list[ledger_entries.ContributionDraft] = []
    if delivering:
        first = max(start, deliver.starts_on or start)
        supervision = _tasks_and_shifts(
            initiative, lead, professionals, citizens, profile, place, rng, first, today, counts
        )
    _other_contributions(
        initiative,
        lead,
        professionals,
        citizens,
        profile,
        rng,
        start,
        end,
        delivering,
        supervision,
        counts,
    )
    if delivering and profile.timebank:
        _timebank(initiative, lead, citizens, rng, first, today, counts)
    if delivering:
        _service_requests(initiative, lead, citizens, profile, place, rng, first, today, counts)
    counts.initiatives += 1


def load_delivery_history(
    *, rng: random.Random, initiatives: dict[str, Initiative] | None = None
) -> dict:
    """Give each active demo initiative a year of co-delivery. Returns what was created.

    ``initiatives`` defaults to every active initiative. An initiative with no co-lead (nobody
    to publish tasks) or fewer than two people to take part is skipped and named in the result.
    """
    chosen = (
        list(initiatives.values())
        if initiatives is not None
        else list(Initiative.objects.filter(status=Initiative.Status.ACTIVE).order_by("slug"))
    )
    counts = _Counts()
    today = timezone.localdate()
    for initiative in chosen:
        _load_one(initiative, rng, today, counts)
    return {
        "initiatives": counts.initiatives,
        "skipped": counts.skipped,
        "tasks": counts.tasks,
        "shifts": counts.shifts,
        "signups": counts.signups,
        "contributions": counts.contributions,
        "exchanges": counts.exchanges,
        "service_requests": counts.service_requests,
    }

"""The demo data set as plain values, computed without touching the database.

:func:`build_plan` turns the six cases of :mod:`coproduce.demo.cases` into people, memberships and
participations. It depends only on a seed and on the day the demo is loaded (phase dates and joining
dates are relative to that day, so the demo always looks current): the same seed and day always
give the same plan, which is what makes the demo reproducible and testable without a database.
"""

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from .cases import (
    ADMIN,
    ASSESS,
    CASES,
    CITIZEN,
    CO_LEAD,
    COMMISSION,
    DESIGN,
    FOUNDER,
    IMPORT,
    INVITATION,
    MANAGER,
    OBSERVER,
    PARTNER,
    PROFESSIONAL,
    SELF,
    SERVICE_USER,
    STAFF,
    VOLUNTEER,
    CaseDef,
    OrgDef,
)
from .names import FIRST_NAMES, SURNAMES

DEFAULT_SEED = 2026
DEMO_PASSWORD = "coproduce-demo-2026"
EMAIL_DOMAIN = "example.org"
# An organisation only the demo creates: its presence means the demo is already loaded.
MARKER_SLUG = "pennine-fire-rescue"
# Participations are spread over the year before the load date.
OLDEST_JOIN_DAYS = 364


@dataclass(frozen=True)
class DemoAccount:
    """A person with a known password, printed by ``load_demo`` so visitors can sign in."""

    key: str
    email: str
    display_name: str
    shows: str  # what signing in as this person lets a visitor see
    area: str = ""
    bio: str = ""
    superuser: bool = False
    memberships: tuple[tuple[str, str, int], ...] = ()  # (organisation, role, years a member)
    participations: tuple[
        tuple[str, str, str | None, str], ...
    ] = ()  # (initiative, role, org, channel)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        key="professional",
        email=f"professional@{EMAIL_DOMAIN}",
        display_name="Steve Brierley",
        shows="a professional: fire and rescue service staff, co-lead of Safe at Home",
        area="Ashworth",
        bio=(
            "Station manager for community safety in Millbrook. Twenty years on the watch "
            "before moving to prevention."
        ),
        memberships=(("pennine-fire-rescue", STAFF, 19),),
        participations=(
            ("safe-at-home-millbrook", CO_LEAD, "pennine-fire-rescue", FOUNDER),
            ("friends-in-later-life", PARTNER, "pennine-fire-rescue", INVITATION),
        ),
    ),
    DemoAccount(
        key="citizen",
        email=f"citizen@{EMAIL_DOMAIN}",
        display_name="Nasreen Akhtar",
        shows="a citizen: resident volunteer taking part in three initiatives",
        area="Oldbridge",
        bio=(
            "Millbrook Homes tenant and home-safety volunteer. Curious about how Toulouse lets "
            "residents decide on spending."
        ),
        memberships=(
            ("pennine-safer-communities-trust", VOLUNTEER, 2),
            ("millbrook-homes", SERVICE_USER, 11),
        ),
        participations=(
            ("safe-at-home-millbrook", CITIZEN, None, INVITATION),
            ("friends-in-later-life", CITIZEN, None, SELF),
            ("toulouse-participatory-budget", OBSERVER, None, SELF),
        ),
    ),
    DemoAccount(
        key="tso",
        email=f"tso@{EMAIL_DOMAIN}",
        display_name="Ruth Ogunleye",
        shows="a third-sector worker: Silver Threads Befriending, co-lead of Friends in Later Life",
        area="Millbrook town centre",
        bio=("Coordinator at Silver Threads Befriending; trains and supervises the peer mentors."),
        memberships=(("silver-threads-befriending", STAFF, 7),),
        participations=(
            ("friends-in-later-life", CO_LEAD, "silver-threads-befriending", FOUNDER),
            ("safe-at-home-millbrook", PARTNER, "silver-threads-befriending", INVITATION),
        ),
    ),
    DemoAccount(
        key="admin",
        email=f"admin@{EMAIL_DOMAIN}",
        display_name="Demo administrator",
        shows="an administrator (superuser), with the admin site at /admin/",
        superuser=True,
    ),
)


@dataclass(frozen=True)
class PersonPlan:
    email: str
    display_name: str
    area: str
    preferred_language: str
    bio: str
    email_confirmed: bool
    date_joined: dt.datetime
    account: str = ""  # key of a demo account; empty for generated people
    superuser: bool = False


@dataclass(frozen=True)
class MembershipPlan:
    person: str  # email
    organisation: str  # slug
    role: str
    since: dt.date


@dataclass(frozen=True)
class ParticipationPlan:
    person: str  # email
    initiative: str  # slug
    role: str
    organisation: str | None  # slug
    joined_at: dt.datetime
    channel: str


@dataclass(frozen=True)
class InitiativePlan:
    case: CaseDef
    phases: dict[str, dict]  # kind -> starts_on, ends_on, status, notes

    @property
    def slug(self) -> str:
        return self.case.slug


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    today: dt.date
    organisations: tuple[OrgDef, ...]
    initiatives: tuple[InitiativePlan, ...]
    people: tuple[PersonPlan, ...]
    memberships: tuple[MembershipPlan, ...]
    participations: tuple[ParticipationPlan, ...]

    def person_names(self) -> list[str]:
        return [person.display_name for person in self.people]


_TRANSLITERATE = str.maketrans({"ı": "i", "ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "œ": "oe"})


def email_part(name: str) -> str:
    """``"Lefèvre"`` -> ``"lefevre"``, ``"van der Meer"`` -> ``"vandermeer"``."""
    decomposed = unicodedata.normalize("NFKD", name.lower().translate(_TRANSLITERATE))
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


def _language_of_interface(case: CaseDef) -> str:
    # The interface speaks English and French; Swedish and Dutch residents get English.
    return "fr" if case.language == "fr" else "en"


@dataclass
class _Person:
    email: str
    display_name: str
    area: str
    preferred_language: str
    bio: str
    email_confirmed: bool
    account: str = ""
    superuser: bool = False
    joined: list[dt.datetime] = field(default_factory=list)


class _Builder:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.cases = {case.slug: case for case in CASES}
        self.organisations: dict[str, OrgDef] = {}
        for case in CASES:
            for organisation in case.organisations:
                if organisation.slug in self.organisations:
                    raise ValueError(f"organisation {organisation.slug} is defined twice")
                self.organisations[organisation.slug] = organisation
        self.people: dict[str, _Person] = {}
        self.memberships: dict[tuple[str, str, str], dt.date] = {}
        self.participations: list[ParticipationPlan] = []
        self.taking_part: set[tuple[str, str]] = set()
        self.citizens_of: dict[str, list[str]] = {}
        self.used_names: dict[str, set[str]] = {language: set() for language in FIRST_NAMES}
        self.counter = 0

    # People and memberships

    def account(self, account: DemoAccount) -> None:
        self.used_names["en"].add(account.display_name)
        self.people[account.email] = _Person(
            email=account.email,
            display_name=account.display_name,
            area=account.area,
            preferred_language="en",
            bio=account.bio,
            email_confirmed=True,
            account=account.key,
            superuser=account.superuser,
        )
        for organisation, role, years in account.memberships:
            self.membership(account.email, organisation, role, since_days=years * 365 + 40)

    def new_person(self, case: CaseDef, bio: str = "") -> str:
        first_names, surnames = FIRST_NAMES[case.language], SURNAMES[case.language]
        for _attempt in range(1000):
            first, last = self.rng.choice(first_names), self.rng.choice(surnames)
            name = f"{first} {last}"
            if name not in self.used_names[case.language]:
                break
        else:  # pragma: no cover - the lists are far larger than any case
            raise RuntimeError(f"ran out of {case.language} names")
        self.used_names[case.language].add(name)
        self.counter += 1
        email = f"{email_part(first)}.{email_part(last)}.{self.counter}@{EMAIL_DOMAIN}"
        self.people[email] = _Person(
            email=email,
            display_name=name,
            area=self.rng.choice(case.neighbourhoods),
            preferred_language=_language_of_interface(case),
            bio=bio,
            email_confirmed=self.rng.random() < 0.93,
        )
        return email

    def membership(
        self,
        email: str,
        organisation: str,
        role: str,
        *,
        case: CaseDef | None = None,
        since_days: int | None = None,
    ) -> None:
        if organisation not in self.organisations:
            raise ValueError(f"unknown organisation {organisation}")
        key = (email, organisation, role)
        if key in self.memberships:
            return
        if since_days is None:
            low, high = {
                STAFF: (400, 7300),
                MANAGER: (400, 4400),
                VOLUNTEER: (60, 2200),
                SERVICE_USER: (90, case.service_user_max_days if case else 9000),
            }[role]
            since_days = self.rng.randint(low, high)
        self.memberships[key] = self.today - dt.timedelta(days=since_days)

    # Participations

    def moment(self, case: CaseDef, first_day: int, last_day: int) -> dt.datetime:
        """A plausible local time on a day between two offsets from today (both included)."""
        first_day = max(first_day, -OLDEST_JOIN_DAYS)
        last_day = max(first_day, min(last_day, -1))
        day = self.today + dt.timedelta(days=self.rng.randint(first_day, last_day))
        hour = self.rng.choices(
            range(7, 23), weights=[1, 2, 3, 3, 3, 2, 3, 3, 2, 2, 3, 4, 4, 3, 2, 1]
        )
        return dt.datetime(
            day.year,
            day.month,
            day.day,
            hour[0],
            self.rng.randrange(60),
            self.rng.randrange(60),
            tzinfo=ZoneInfo(case.timezone),
        )

    def window(self, case: CaseDef, role: str) -> tuple[int, int]:
        phases = case.phases
        start = phases[COMMISSION].starts
        last = phases[ASSESS].ends if case.status == "completed" else -1
        if role == CO_LEAD:
            return start, start
        if role == PROFESSIONAL:
            return start, min(phases[DESIGN].ends, last)
        if role == PARTNER:
            return start, min(phases[COMMISSION].ends, last)
        if role == CITIZEN and self.rng.random() < 0.75:
            # Most citizens arrive once there is something to design or to do.
            return min(max(start, phases[DESIGN].starts - 14), last), last
        return start, last

    def join(
        self,
        email: str,
        case: CaseDef,
        role: str,
        channel: str,
        organisation: str | None = None,
    ) -> None:
        if (email, case.slug) in self.taking_part:
            raise ValueError(f"{email} already takes part in {case.slug}")
        if organisation is not None and organisation not in self.organisations:
            raise ValueError(f"unknown organisation {organisation}")
        self.taking_part.add((email, case.slug))
        joined_at = self.moment(case, *self.window(case, role))
        self.people[email].joined.append(joined_at)
        self.participations.append(
            ParticipationPlan(
                person=email,
                initiative=case.slug,
                role=role,
                organisation=organisation,
                joined_at=joined_at,
                channel=channel,
            )
        )

    def pick(self, weighted: tuple[tuple[Any, int], ...]) -> Any:
        options = [option for option, _weight in weighted]
        return self.rng.choices(options, weights=[weight for _option, weight in weighted])[0]

    # Cases

    def case(self, case: CaseDef) -> None:
        for account in DEMO_ACCOUNTS:
            for initiative, role, organisation, channel in account.participations:
                if initiative == case.slug and role == CO_LEAD:
                    self.join(account.email, case, role, channel, organisation)
        for co_lead in case.co_leads:
            email = self.new_person(case, bio=co_lead.bio)
            for organisation, role in co_lead.memberships:
                self.membership(email, organisation, role, case=case)
            self.join(email, case, CO_LEAD, FOUNDER, co_lead.organisation)
        for account in DEMO_ACCOUNTS:
            for initiative, role, organisation, channel in account.participations:
                if initiative == case.slug and role != CO_LEAD:
                    self.join(account.email, case, role, channel, organisation)
        for organisation, low, high in case.professionals:
            for _ in range(self.rng.randint(low, high)):
                email = self.new_person(case)
                self.membership(email, organisation, STAFF, case=case)
                channel = self.pick(((INVITATION, 4), (ADMIN, 2), (IMPORT, 1)))
                self.join(email, case, PROFESSIONAL, channel, organisation)
        for organisation in case.partners:
            email = self.new_person(case)
            self.membership(email, organisation, MANAGER, case=case)
            self.join(email, case, PARTNER, INVITATION, organisation)
        for _ in range(self.rng.randint(*case.observers)):
            email = self.new_person(case)
            self.join(email, case, OBSERVER, self.pick(((SELF, 2), (INVITATION, 1))))

        citizens: list[str] = []
        if case.shares_citizens_with:
            pool = [
                email
                for email in self.citizens_of[case.shares_citizens_with]
                if (email, case.slug) not in self.taking_part
            ]
            for email in self.rng.sample(pool, self.rng.randint(*case.shared_citizens)):
                self.join(email, case, CITIZEN, self.pick(case.citizen_channels))
        size = self.rng.randint(*case.size)
        already = sum(1 for _email, slug in self.taking_part if slug == case.slug)
        if size < already:
            raise ValueError(f"{case.slug}: size {size} leaves no room for citizens")
        for _ in range(size - already):
            email = self.new_person(case)
            profiles = tuple((ties, weight) for weight, ties in case.citizen_profiles)
            for organisation, role in self.pick(profiles):
                self.membership(email, organisation, role, case=case)
            self.join(email, case, CITIZEN, self.pick(case.citizen_channels))
            citizens.append(email)
        self.citizens_of[case.slug] = citizens

    def plan(self, seed: int) -> DemoPlan:
        for account in DEMO_ACCOUNTS:
            self.account(account)
        for case in CASES:
            self.case(case)

        participations = list(self.participations)

        people = []
        for person in self.people.values():
            if person.joined:
                # Signed up a little before first taking part.
                joined = min(person.joined) - dt.timedelta(
                    days=self.rng.randint(0, 40), minutes=self.rng.randint(5, 600)
                )
            else:
                joined = dt.datetime.combine(
                    self.today - dt.timedelta(days=400), dt.time(9), tzinfo=dt.UTC
                )
            people.append(
                PersonPlan(
                    email=person.email,
                    display_name=person.display_name,
                    area=person.area,
                    preferred_language=person.preferred_language,
                    bio=person.bio,
                    email_confirmed=person.email_confirmed,
                    date_joined=joined,
                    account=person.account,
                    superuser=person.superuser,
                )
            )
        initiatives = tuple(
            InitiativePlan(
                case=case,
                phases={
                    kind: {
                        "starts_on": self.today + dt.timedelta(days=phase.starts),
                        "ends_on": self.today + dt.timedelta(days=phase.ends),
                        "status": phase.status,
                        "notes": phase.notes,
                    }
                    for kind, phase in case.phases.items()
                },
            )
            for case in CASES
        )
        return DemoPlan(
            seed=seed,
            today=self.today,
            organisations=tuple(self.organisations.values()),
            initiatives=initiatives,
            people=tuple(people),
            memberships=tuple(
                MembershipPlan(person=email, organisation=organisation, role=role, since=since)
                for (email, organisation, role), since in self.memberships.items()
            ),
            participations=tuple(participations),
        )


def build_plan(*, seed: int = DEFAULT_SEED, today: dt.date) -> DemoPlan:
    """The whole demo data set for a seed, with dates relative to ``today``. Pure: no database."""
    return _Builder(seed, today).plan(seed)

"""Co-delivery: citizens doing part of the service alongside professionals, and the record of it.

Four groups of models live here:

- tasks, their shifts and sign-ups (with a waiting list), and the requirements a professional
  must confirm before someone may take part;
- the contributions ledger: every hour and in-kind resource, who gave it and in which capacity,
  confirmed by a second party; confirmed entries are never edited, only corrected by new entries;
- the timebank: double-entry accounts in hours, where every transfer is two movements summing
  to zero;
- service requests (problems reported by citizens), also served through Open311 GeoReport v2.

Invariants that the database can hold are declared here as constraints, so that no code path,
admin screen or script can break them.
"""

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coproduce.initiatives.models import Initiative, Phase
from coproduce.people.models import Organisation


def _token() -> str:
    return secrets.token_urlsafe(24)


def _coordinates_ok(prefix: str = "") -> Q:
    """Latitude and longitude are given together, within the WGS84 ranges, or not at all."""
    lat, lon = f"{prefix}latitude", f"{prefix}longitude"
    return Q(**{f"{lat}__isnull": True, f"{lon}__isnull": True}) | Q(
        **{
            f"{lat}__isnull": False,
            f"{lon}__isnull": False,
            f"{lat}__gte": -90,
            f"{lat}__lte": 90,
            f"{lon}__gte": -180,
            f"{lon}__lte": 180,
        }
    )


# --------------------------------------------------------------------------------------------
# Tasks, shifts and requirements
# --------------------------------------------------------------------------------------------


class Requirement(models.Model):
    """Something a professional must confirm before a person may take part in some tasks, such as
    a background check for work with vulnerable people or a training session."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="delivery_requirements",
        verbose_name=_("initiative"),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    valid_days = models.PositiveIntegerField(
        _("valid for (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if a confirmation never expires."),
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "name"], name="delivery_requirement_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RequirementConfirmation(models.Model):
    """A professional vouches that a person meets a requirement (until an optional date)."""

    requirement = models.ForeignKey(
        Requirement,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("requirement"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="requirement_confirmations",
        verbose_name=_("person"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("requirement confirmation")
        verbose_name_plural = _("requirement confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "person"], name="delivery_requirement_confirmed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} – {self.person}"


class Task(models.Model):
    """A piece of the service that citizens and professionals deliver together."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("initiative")
    )
    phase = models.ForeignKey(
        Phase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("phase"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=250, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    skills = models.CharField(
        _("skills wanted"),
        max_length=300,
        blank=True,
        help_text=_("Separate skills with commas."),
    )
    work_type = models.CharField(
        _("kind of work"),
        max_length=80,
        blank=True,
        help_text=_("Used to value the hours given, with the initiative's replacement-cost rates."),
    )
    requirements = models.ManyToManyField(
        Requirement,
        blank=True,
        related_name="tasks",
        verbose_name=_("requirements a professional must confirm first"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_coordinates_ok(),
                name="delivery_task_coordinates",
                violation_error_message=_(
                    "Give both latitude and longitude, within -90..90 and -180..180."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def skill_list(self) -> list[str]:
        return [skill.strip() for skill in self.skills.split(",") if skill.strip()]

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Shift(models.Model):
    """A time slot of a task with a number of places.

    ``booked`` counts the booked sign-ups. It only ever changes through F-expressions while the
    shift row is locked, and a CHECK constraint keeps it within the capacity, so no shift can be
    over capacity whatever the code path.
    """

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("task")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    booked = models.PositiveSmallIntegerField(_("places taken"), default=0, editable=False)
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_shifts",
        verbose_name=_("professional on the shift"),
        help_text=_("Confirms the hours of the people who came."),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="delivery_shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="delivery_shift_has_a_place",
                violation_error_message=_("A shift needs at least one place."),
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")),
                name="delivery_shift_within_capacity",
                violation_error_message=_("A shift cannot be over capacity."),
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="delivery_shift_starts")]

    def __str__(self) -> str:
        return f"{self.task} – {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def duration_hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


class ShiftSignup(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.BOOKED, Status.WAITING)

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="signups", verbose_name=_("shift")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shift_signups",
        verbose_name=_("person"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up"))
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "person"],
                condition=Q(status__in=["booked", "waiting"]),
                name="delivery_signup_one_active_per_person",
                violation_error_message=_("You are already signed up for this shift."),
            ),
        ]
        indexes = [
            models.Index(fields=["shift", "status", "created_at"], name="delivery_signup_queue"),
            models.Index(fields=["status", "reminder_sent_at"], name="delivery_signup_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.shift} ({self.get_status_display()})"


class CalendarFeed(models.Model):
    """The secret address of a person's shift calendar, for calendar apps that cannot log in."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("person"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.person)


# --------------------------------------------------------------------------------------------
# The contributions ledger
# --------------------------------------------------------------------------------------------


class ContributionKind(models.TextChoices):
    TIME = "time", _("Time")
    TOOLS = "tools", _("Tools")
    MATERIALS = "materials", _("Materials")
    ROOMS = "rooms", _("Rooms")
    PERMITS = "permits", _("Permits")
    EXPERTISE = "expertise", _("Expertise")
    MONEY = "money", _("Money")


class Capacity(models.TextChoices):
    """For whom a person contributes."""

    CITIZEN = "citizen", _("As a citizen")
    PROFESSIONAL = "professional", _("As a professional")
    ORGANISATION = "organisation", _("On behalf of an organisation")


class LedgerSettings(models.Model):
    """Per-initiative settings of the ledger; the valuation rates are :class:`ValuationRate`."""

    initiative = models.OneToOneField(
        Initiative,
        on_delete=models.CASCADE,
        related_name="ledger_settings",
        verbose_name=_("initiative"),
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", help_text=_("ISO 4217 code, e.g. EUR, GBP.")
    )

    class Meta:
        verbose_name = _("ledger settings")
        verbose_name_plural = _("ledger settings")

    def __str__(self) -> str:
        return f"{self.initiative} ({self.currency})"


class ValuationRate(models.Model):
    """What one unit of a kind of contribution would cost if the service had to pay for it
    (the replacement-cost method). An empty kind of work is the default for its kind."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="valuation_rates",
        verbose_name=_("initiative"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ContributionKind.choices)
    work_type = models.CharField(
        _("kind of work"), max_length=80, blank=True, help_text=_("Empty: any other work.")
    )
    unit = models.CharField(_("unit"), max_length=40, default="hour")
    amount = models.DecimalField(
        _("value of one unit"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("valuation rate")
        verbose_name_plural = _("valuation rates")
        ordering = ["kind", "work_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "kind", "work_type"], name="delivery_rate_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="delivery_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.work_type}".strip()


class ImmutableEntryError(Exception):
    """Raised when code tries to change or delete a confirmed ledger entry."""


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


class Contribution(models.Model):
    """One entry of the ledger: who gave what, to which initiative, phase and task, and when.

    Entries start *pending*; a second party (a co-lead, or the professional of the shift) makes
    them *confirmed* or *disputed* (with a reason). A confirmed entry is never changed: a
    correction is a *reversal* (the same quantity and value, negated) plus, unless the entry is
    simply cancelled, a *replacement*, both linked to the original through ``corrects``. Totals are
    plain sums over confirmed entries, so they are always right without looking at the history.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        WEB = "web", _("Recorded on the platform")
        SHIFT = "shift", _("Hours of a shift")
        IMPORT = "import", _("Imported timesheet")
        CORRECTION = "correction", _("Correction")
        SCRIPT = "script", _("Script or demo")

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("initiative"),
    )
    phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("phase"),
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("task"),
    )
    shift = models.ForeignKey(
        Shift,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("shift"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("contributor"),
    )
    capacity = models.CharField(_("capacity"), max_length=12, choices=Capacity.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("on behalf of"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ContributionKind.choices)
    work_type = models.CharField(_("kind of work"), max_length=80, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Hours for time; an amount for money; units for other resources."),
    )
    value = models.DecimalField(
        _("replacement value"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    occurred_on = models.DateField(_("date"))
    month = models.DateField(_("month"), editable=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="pending")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default="web")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disputed by"),
    )
    disputed_at = models.DateTimeField(_("disputed"), null=True, blank=True)
    dispute_reason = models.TextField(_("reason for the dispute"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects entry"),
    )
    is_reversal = models.BooleanField(_("reversal"), default=False)
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_reversal=True, quantity__lt=0, corrects__isnull=False)
                | Q(is_reversal=False, quantity__gt=0),
                name="delivery_contribution_sign",
                violation_error_message=_("The quantity must be more than zero."),
            ),
            models.CheckConstraint(
                condition=~Q(capacity="organisation") | Q(organisation__isnull=False),
                name="delivery_contribution_organisation_named",
                violation_error_message=_("Say on behalf of which organisation."),
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="delivery_contribution_confirmed_when",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("person")),
                name="delivery_contribution_two_parties",
                violation_error_message=_("Nobody confirms their own contribution."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) | Q(is_reversal=True),
                name="delivery_contribution_value_sign",
            ),
            models.UniqueConstraint(
                fields=["corrects"],
                condition=Q(is_reversal=True),
                name="delivery_contribution_reversed_once",
                violation_error_message=_("This contribution has already been corrected."),
            ),
        ]
        indexes = [
            # Covers the totals query: filter on the first two columns, group by the next four,
            # sum the last two, all read from the index alone in SQLite and PostgreSQL.
            models.Index(
                fields=[
                    "initiative",
                    "status",
                    "phase",
                    "capacity",
                    "month",
                    "kind",
                    "quantity",
                    "value",
                ],
                name="delivery_contribution_totals",
            ),
            models.Index(fields=["person", "initiative"], name="delivery_contribution_person"),
            models.Index(
                fields=["initiative", "status", "occurred_on"], name="delivery_contribution_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.quantity} {self.get_kind_display()} ({self.occurred_on})"

    def save(self, *args, **kwargs):
        if getattr(self, "_status_in_db", None) == self.Status.CONFIRMED:
            raise ImmutableEntryError("a confirmed contribution is corrected, never edited")
        self.month = first_of_month(self.occurred_on)
        super().save(*args, **kwargs)
        self._status_in_db = self.status

    def delete(self, *args, **kwargs):
        if getattr(self, "_status_in_db", None) == self.Status.CONFIRMED:
            raise ImmutableEntryError("a confirmed contribution is never deleted")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._status_in_db = instance.__dict__.get("status")
        return instance

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    def amount_display(self) -> str:
        """ "2.5 hours", "Rooms: 4", "Money: 50" — for lists of entries."""
        quantity = self.quantity.normalize() if self.quantity is not None else Decimal("0")
        number = formats.number_format(quantity, force_grouping=True)
        if self.kind == ContributionKind.TIME:
            return ngettext("%(number)s hour", "%(number)s hours", abs(quantity)) % {
                "number": number
            }
        return f"{self.get_kind_display()}: {number}"


# --------------------------------------------------------------------------------------------
# The timebank
# --------------------------------------------------------------------------------------------


class Timebank(models.Model):
    """An initiative's timebank: one hour given earns one credit, whatever the service."""

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="timebank", verbose_name=_("initiative")
    )
    is_active = models.BooleanField(_("open for exchanges"), default=True)
    min_balance = models.DecimalField(
        _("lowest balance allowed"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("-10"),
        help_text=_("How many hours a member may owe, as a negative number (or 0)."),
    )
    max_balance = models.DecimalField(
        _("highest balance allowed"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("40"),
        help_text=_("How many hours a member may hold."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("timebank")
        verbose_name_plural = _("timebanks")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_balance__lte=0) & Q(max_balance__gte=0),
                name="delivery_timebank_limits_around_zero",
                violation_error_message=_(
                    "The lowest balance must be zero or below and the highest zero or above."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.initiative)


class TimebankAccount(models.Model):
    """A member's account. ``balance`` is a cache of the sum of the account's movements; it only
    changes in the same transaction as the movements, and :func:`timebank_check` verifies it."""

    timebank = models.ForeignKey(
        Timebank, on_delete=models.CASCADE, related_name="accounts", verbose_name=_("timebank")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="timebank_accounts",
        verbose_name=_("member"),
    )
    balance = models.DecimalField(
        _("balance (hours)"), max_digits=8, decimal_places=2, default=Decimal("0"), editable=False
    )
    opened_at = models.DateTimeField(_("opened"))

    class Meta:
        verbose_name = _("timebank account")
        verbose_name_plural = _("timebank accounts")
        ordering = ["person__display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["timebank", "person"], name="delivery_timebank_one_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.balance} h)"


class TimebankCategory(models.TextChoices):
    COMPANY = "company", _("Company and befriending")
    ERRANDS = "errands", _("Shopping and errands")
    GARDENING = "gardening", _("Gardening")
    REPAIRS = "repairs", _("Repairs and DIY")
    TRANSPORT = "transport", _("Lifts and transport")
    CHILDCARE = "childcare", _("Childcare")
    COOKING = "cooking", _("Cooking")
    DIGITAL = "digital", _("Computers and forms")
    LEARNING = "learning", _("Teaching and learning")
    OTHER = "other", _("Other")


class Listing(models.Model):
    """An offer of help or a request for help in a timebank."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        REQUEST = "request", _("Request")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    timebank = models.ForeignKey(
        Timebank, on_delete=models.CASCADE, related_name="listings", verbose_name=_("timebank")
    )
    account = models.ForeignKey(
        TimebankAccount,
        on_delete=models.CASCADE,
        related_name="listings",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("offer or request"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=TimebankCategory.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("timebank listing")
        verbose_name_plural = _("timebank listings")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Transfer(models.Model):
    """A movement of hours between two accounts: always exactly two movements summing to zero."""

    timebank = models.ForeignKey(
        Timebank, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("timebank")
    )
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("timebank transfer")
        verbose_name_plural = _("timebank transfers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.memo}"


class Movement(models.Model):
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="movements", verbose_name=_("transfer")
    )
    account = models.ForeignKey(
        TimebankAccount,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("account"),
    )
    amount = models.DecimalField(_("hours"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("timebank movement")
        verbose_name_plural = _("timebank movements")
        ordering = ["-transfer_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="delivery_movement_not_zero"),
            models.UniqueConstraint(
                fields=["transfer", "account"], name="delivery_movement_one_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"


class Exchange(models.Model):
    """Help given by one member to another; completing it moves the hours from the receiver to
    the giver."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    timebank = models.ForeignKey(
        Timebank, on_delete=models.CASCADE, related_name="exchanges", verbose_name=_("timebank")
    )
    listing = models.ForeignKey(
        Listing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exchanges",
        verbose_name=_("listing"),
    )
    giver = models.ForeignKey(
        TimebankAccount,
        on_delete=models.PROTECT,
        related_name="given_exchanges",
        verbose_name=_("who gives the help"),
    )
    receiver = models.ForeignKey(
        TimebankAccount,
        on_delete=models.PROTECT,
        related_name="received_exchanges",
        verbose_name=_("who receives the help"),
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    description = models.CharField(_("what was done"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default="proposed"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("proposed"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    transfer = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange",
        verbose_name=_("transfer"),
    )

    class Meta:
        verbose_name = _("timebank exchange")
        verbose_name_plural = _("timebank exchanges")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(giver=F("receiver")),
                name="delivery_exchange_not_to_oneself",
                violation_error_message=_("Nobody exchanges time with themselves."),
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="delivery_exchange_hours"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(transfer__isnull=False),
                name="delivery_exchange_completed_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver.person} → {self.receiver.person}: {self.hours} h"


# --------------------------------------------------------------------------------------------
# Service requests (Open311 GeoReport v2)
# --------------------------------------------------------------------------------------------


class RequestCategory(models.Model):
    """A kind of problem citizens can report; an Open311 "service"."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="request_categories",
        verbose_name=_("initiative"),
    )
    code = models.SlugField(
        _("service code"), max_length=64, unique=True, help_text=_("Open311 service_code.")
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    service_notice = models.CharField(
        _("what happens next"),
        max_length=300,
        blank=True,
        help_text=_("Told to the person who reports a problem of this kind."),
    )
    is_active = models.BooleanField(_("accepting reports"), default=True)

    class Meta:
        verbose_name = _("service request category")
        verbose_name_plural = _("service request categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CategoryAttribute(models.Model):
    """An extra question asked with a report (an Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLE = "singlevaluelist", _("One choice")
        MULTI = "multivaluelist", _("Several choices")

    category = models.ForeignKey(
        RequestCategory,
        on_delete=models.CASCADE,
        related_name="attributes",
        verbose_name=_("category"),
    )
    code = models.SlugField(_("code"), max_length=64)
    description = models.CharField(_("question"), max_length=300)
    datatype = models.CharField(_("type of answer"), max_length=20, choices=Datatype.choices)
    datatype_description = models.CharField(_("help"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asks for an answer"),
        default=True,
        help_text=_("Untick for an attribute that only informs the person reporting."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For choices: a list of {"key": ..., "name": ...}.'),
    )

    class Meta:
        verbose_name = _("service request question")
        verbose_name_plural = _("service request questions")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="delivery_attribute_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def value_keys(self) -> list[str]:
        return [str(value.get("key")) for value in self.values if isinstance(value, dict)]


def _photo_path(instance, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"service-requests/{dt.date.today():%Y/%m}/{secrets.token_hex(8)}.{extension}"


class ServiceRequest(models.Model):
    """A problem reported by a citizen that needs co-delivered action."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    category = models.ForeignKey(
        RequestCategory,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("category"),
    )
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    address_id = models.CharField(_("address id"), max_length=64, blank=True)
    zipcode = models.CharField(_("postcode"), max_length=16, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    photo = models.FileField(_("photo"), upload_to=_photo_path, blank=True)
    media_url = models.URLField(_("media address"), max_length=500, blank=True)
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    status_notes = models.TextField(_("status notes"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("reported by"),
    )
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    api_key = models.ForeignKey(
        "ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("sent by application"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_service_requests",
        verbose_name=_("picked up by"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField(_("reported"))
    updated_at = models.DateTimeField(_("updated"))
    expected_at = models.DateTimeField(_("expected"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_coordinates_ok(), name="delivery_request_coordinates"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=False) | ~Q(address="") | ~Q(address_id=""),
                name="delivery_request_located",
                violation_error_message=_("Say where the problem is: an address or a point."),
            ),
        ]
        indexes = [
            models.Index(fields=["category", "created_at"], name="delivery_request_category"),
            models.Index(fields=["status", "created_at"], name="delivery_request_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @property
    def initiative(self) -> Initiative:
        return self.category.initiative

    @property
    def open311_status(self) -> str:
        return "closed" if self.status == self.Status.CLOSED else "open"


class RequestUpdate(models.Model):
    """One step in the life of a service request: picked up, status changed, a note."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="updates",
        verbose_name=_("service request"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    status = models.CharField(_("status"), max_length=12, choices=ServiceRequest.Status.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("service request update")
        verbose_name_plural = _("service request updates")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} → {self.status}"


class ApiKey(models.Model):
    """A key that lets an application post service requests through Open311."""

    name = models.CharField(_("application"), max_length=150)
    key = models.CharField(_("key"), max_length=64, unique=True, default=_token)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("owner"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

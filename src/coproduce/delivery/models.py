"""Co-delivery: citizens doing part of the service alongside professionals.

Tasks, their shifts and sign-ups (with a waiting list), the requirements a professional must
confirm before someone may take part, and personal calendar feeds. Confirmed hours become entries
of the contributions ledger (``coproduce.ledger``), which co-delivery writes through its seam.

Invariants that the database can hold are declared here as constraints, so that no code path,
admin screen or script can break them.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.models import Initiative, Phase, coordinates_ok
from coproduce.ranges import REQUIREMENT_VALID_DAYS, SHIFT_PLACES


def _token() -> str:
    return secrets.token_urlsafe(24)


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
        validators=REQUIREMENT_VALID_DAYS.validators(),
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
            models.CheckConstraint(
                condition=REQUIREMENT_VALID_DAYS.condition("valid_days"),
                name="delivery_requirement_valid_days_in_range",
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
                condition=coordinates_ok(),
                name="delivery_task_coordinates",
                violation_error_message=_(
                    "Give both latitude and longitude, within -90..90 and -180..180."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("delivery:task", args=[self.initiative.slug, self.pk])

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
    capacity = models.PositiveSmallIntegerField(_("places"), validators=SHIFT_PLACES.validators())
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
                condition=SHIFT_PLACES.condition("capacity"), name="delivery_shift_places_in_range"
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

    def get_absolute_url(self) -> str:
        return reverse("delivery:shift", args=[self.task.initiative.slug, self.pk])

    # As an activity of the contributions ledger (``ledger.activities``), a shift belongs to its
    # task's initiative, is valued as its task's kind of work and is supervised by its
    # professional.
    @property
    def initiative_id(self) -> int:
        return self.task.initiative_id

    @property
    def work_type(self) -> str:
        return self.task.work_type

    @property
    def supervisor(self):
        """Who may confirm the hours given on this shift, besides the co-leads."""
        return self.professional

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

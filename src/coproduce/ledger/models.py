"""The contributions ledger: every hour and in-kind resource given to an initiative, in any of the
four stages, who gave it and in which capacity, confirmed by a second party. Confirmed entries are
never edited, only corrected by new entries. Valuation rates turn hours into a replacement value.

The tables kept the names they had in the delivery app (ADR 0004). Invariants that the database
can hold are declared here as constraints.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coproduce.initiatives.models import Initiative, Phase
from coproduce.people.models import Organisation
from coproduce.ranges import (
    CONTRIBUTION_VALUE,
    VALUATION_RATE,
    contribution_quantity_condition,
)


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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_ledgersettings"
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
        validators=VALUATION_RATE.validators(),
    )

    class Meta:
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_valuationrate"
        verbose_name = _("valuation rate")
        verbose_name_plural = _("valuation rates")
        ordering = ["kind", "work_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "kind", "work_type"], name="delivery_rate_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="delivery_rate_not_negative"),
            models.CheckConstraint(
                condition=VALUATION_RATE.condition("amount"), name="ledger_rate_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.work_type}".strip()


class ImmutableEntryError(Exception):
    """Raised when code tries to change or delete a confirmed ledger entry."""


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


class Contribution(models.Model):
    """One entry of the ledger: who gave what, to which initiative, phase and activity, and when.

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
    # What the contribution was for: an activity of a stage component (a co-delivery shift or
    # task...), linked generically so that the ledger imports no component (ADR 0004).
    activity_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind of activity"),
    )
    activity_id = models.PositiveBigIntegerField(_("activity"), null=True, blank=True)
    activity = GenericForeignKey("activity_type", "activity_id")
    supervised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervised by"),
        help_text=_("The professional in charge of the activity, who may confirm the entry."),
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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_contribution"
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
                condition=Q(activity_type__isnull=True, activity_id__isnull=True)
                | Q(activity_type__isnull=False, activity_id__isnull=False),
                name="ledger_contribution_activity_whole",
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
            models.CheckConstraint(
                condition=contribution_quantity_condition(),
                name="ledger_contribution_quantity_in_range",
                violation_error_message=_(
                    "The quantity is out of range: at most 24 hours of time per entry."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    value__gte=-CONTRIBUTION_VALUE.high, value__lte=CONTRIBUTION_VALUE.high
                ),
                name="ledger_contribution_value_in_range",
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
                fields=["activity_type", "activity_id"], name="ledger_contribution_activity"
            ),
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
            # gettext counts in integers: a fraction of an hour reads as plural ("1.5 hours").
            count = int(abs(quantity)) if abs(quantity) % 1 == 0 else 2
            return ngettext("%(number)s hour", "%(number)s hours", count) % {"number": number}
        return f"{self.get_kind_display()}: {number}"

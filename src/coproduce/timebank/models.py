"""The timebank: double-entry accounts in hours, where every transfer is two movements summing to
zero; listings of offers and requests, and the exchanges that settle them.

The tables kept the names they had in the delivery app (ADR 0004). Invariants that the database
can hold are declared here as constraints.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.models import Initiative
from coproduce.ranges import EXCHANGE_HOURS, TIMEBANK_MAX_BALANCE, TIMEBANK_MIN_BALANCE


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
        validators=TIMEBANK_MIN_BALANCE.validators(),
        help_text=_("How many hours a member may owe, as a negative number (or 0)."),
    )
    max_balance = models.DecimalField(
        _("highest balance allowed"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("40"),
        validators=TIMEBANK_MAX_BALANCE.validators(),
        help_text=_("How many hours a member may hold."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_timebank"
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
            models.CheckConstraint(
                condition=TIMEBANK_MIN_BALANCE.condition("min_balance")
                & TIMEBANK_MAX_BALANCE.condition("max_balance"),
                name="timebank_limits_in_range",
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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_timebankaccount"
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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_listing"
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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_transfer"
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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_movement"
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
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=2, validators=EXCHANGE_HOURS.validators()
    )
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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_exchange"
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
                condition=EXCHANGE_HOURS.condition("hours"), name="timebank_exchange_hours_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(transfer__isnull=False),
                name="delivery_exchange_completed_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver.person} → {self.receiver.person}: {self.hours} h"

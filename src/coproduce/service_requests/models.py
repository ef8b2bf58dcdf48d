"""Service requests: problems reported by citizens (a broken street light, a blocked alleyway)
that need co-delivered action, in categories with their own questions; also served through
Open311 GeoReport v2 (``coproduce.api.open311``).

The tables kept the names they had in the delivery app (ADR 0004). Invariants that the database
can hold are declared here as constraints.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.models import Initiative, coordinates_ok
from coproduce.ranges import QUESTION_ORDER
from coproduce.uploads import service_request_photo_path


def _token() -> str:
    return secrets.token_urlsafe(24)


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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_requestcategory"
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
    order = models.PositiveSmallIntegerField(
        _("order"), default=1, validators=QUESTION_ORDER.validators()
    )
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For choices: a list of {"key": ..., "name": ...}.'),
    )

    class Meta:
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_categoryattribute"
        verbose_name = _("service request question")
        verbose_name_plural = _("service request questions")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=QUESTION_ORDER.condition("order"), name="request_attribute_order_in_range"
            ),
            models.UniqueConstraint(
                fields=["category", "code"], name="delivery_attribute_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def value_keys(self) -> list[str]:
        return [str(value.get("key")) for value in self.values if isinstance(value, dict)]


class ServiceRequest(models.Model):
    """A problem reported by a citizen that needs co-delivered action."""

    #: Who reported it and how to reach them (sent through Open311): seen only by those handling
    #: the request, erased when its account is deleted and after the retention period once the
    #: request is closed (``SERVICE_REQUEST_CONTACT_RETENTION_DAYS``).
    CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "device_id", "account_id")

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
    photo = models.FileField(_("photo"), upload_to=service_request_photo_path, blank=True)
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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_servicerequest"
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=coordinates_ok(), name="delivery_request_coordinates"),
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
    """One step in the life of a service request: picked up, status changed, a note or the
    reporter's comment."""

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
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_(
            "Shown to everyone and in Open311; otherwise seen only by those handling the request "
            "and the person who reported it."
        ),
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_requestupdate"
        verbose_name = _("service request update")
        verbose_name_plural = _("service request updates")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} → {self.status}"


API_KEY_PREFIX_LENGTH = 8


def api_key_digest(key: str) -> str:
    """What is stored of an API key: its SHA-256. The key is 256 random bits, so a digest cannot
    be reversed by guessing, and unlike a salted password hash it can be looked up."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKey(models.Model):
    """A key that lets an application post service requests through Open311.

    Only a digest of the key is kept, and its first characters to tell keys apart: the key
    itself is shown once, when it is issued (``services.api_key_issue``), and a copy of the
    database cannot be used to post requests.
    """

    name = models.CharField(_("application"), max_length=150)
    prefix = models.CharField(
        _("key starts with"), max_length=API_KEY_PREFIX_LENGTH, editable=False
    )
    key_hash = models.CharField(
        _("key digest (SHA-256)"), max_length=64, unique=True, editable=False
    )
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
        # The table kept its name when the model left the delivery app (ADR 0004).
        db_table = "delivery_apikey"
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    def set_key(self, key: str) -> None:
        self.prefix = key[:API_KEY_PREFIX_LENGTH]
        self.key_hash = api_key_digest(key)

    @classmethod
    def active_by_key(cls, key: str) -> "ApiKey | None":
        """The active key matching what a client sent, if any."""
        if not key:
            return None
        return cls.objects.filter(key_hash=api_key_digest(key), is_active=True).first()

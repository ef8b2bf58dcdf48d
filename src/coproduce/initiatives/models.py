"""The arrangement people share: a publicly financed service, an initiative around it, its four
phases (the "four Co's") and who takes part in which role."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coproduce.people.models import Organisation


def coordinates_ok(prefix: str = "") -> Q:
    """Latitude and longitude are given together, within the WGS84 ranges, or not at all: the
    check constraint of every place on the map (a task, a reported problem)."""
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


class ServiceSector(models.TextChoices):
    FIRE_RESCUE = "fire_rescue", _("Fire and rescue")
    CHILDCARE = "childcare", _("Childcare")
    HOUSING = "housing", _("Housing")
    HEALTH = "health", _("Health")
    SOCIAL_CARE = "social_care", _("Social care")
    PUBLIC_SPACE = "public_space", _("Public space")
    COMMUNITY_SAFETY = "community_safety", _("Community safety")
    EDUCATION = "education", _("Education")
    CITY_BUDGET = "city_budget", _("City budget")


class Service(models.Model):
    """A publicly financed service (fire prevention, childcare, social housing…)."""

    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=32, choices=ServiceSector.choices)
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_services",
        verbose_name=_("funded by"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("public service")
        verbose_name_plural = _("public services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    class Level(models.TextChoices):
        """Pestoff's three levels of co-production."""

        CO_PRODUCTION = "co_production", _("Co-production")
        CO_MANAGEMENT = "co_management", _("Co-management")
        CO_GOVERNANCE = "co_governance", _("Co-governance")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("service")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    host = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_initiatives",
        verbose_name=_("host organisation"),
        help_text=_("Leave empty when the initiative lives in a neutral shared space."),
    )
    area = models.CharField(_("area"), max_length=120)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="draft")
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Participation",
        related_name="initiatives",
        verbose_name=_("people"),
    )

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        """Completed or archived: nothing new is published or recorded in it."""
        return self.status in (self.Status.COMPLETED, self.Status.ARCHIVED)

    @property
    def is_shared_space(self) -> bool:
        return self.host_id is None


class Phase(models.Model):
    """One of the four stages of co-production (Bovaird and Loeffler's "four Co's")."""

    class Kind(models.TextChoices):
        COMMISSION = "commission", _("Co-commissioning")
        DESIGN = "design", _("Co-design")
        DELIVER = "deliver", _("Co-delivery")
        ASSESS = "assess", _("Co-assessment")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Under way")
        DONE = "done", _("Done")

    ORDER = [Kind.COMMISSION, Kind.DESIGN, Kind.DELIVER, Kind.ASSESS]

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="phases", verbose_name=_("initiative")
    )
    kind = models.CharField(_("stage"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="planned")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "kind"], name="phase_kind_unique"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="phase_dates_ordered",
                violation_error_message=_("A phase cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} – {self.get_kind_display()}"

    @property
    def position(self) -> int:
        return self.ORDER.index(self.kind)


class Participation(models.Model):
    class Role(models.TextChoices):
        CO_LEAD = "co_lead", _("Co-lead")
        PROFESSIONAL = "professional", _("Professional")
        CITIZEN = "citizen", _("Citizen")
        PARTNER = "partner", _("Partner organisation representative")
        OBSERVER = "observer", _("Observer")

    class Channel(models.TextChoices):
        SELF = "self", _("Joined on the platform")
        INVITATION = "invitation", _("Invited")
        FOUNDER = "founder", _("Founding member")
        ADMIN = "admin", _("Added by an administrator")
        IMPORT = "import", _("Imported")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("person"),
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("initiative"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("on behalf of"),
    )
    joined_at = models.DateTimeField(_("joined"))
    channel = models.CharField(_("how they joined"), max_length=20, choices=Channel.choices)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "initiative"], name="participation_unique_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.initiative} ({self.get_role_display()})"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class CoLeadInvitation(models.Model):
    """A co-lead asks someone, usually from another organisation, to share the lead."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("initiative"),
    )
    email = models.EmailField(_("email address"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="pending")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-lead invitation")
        verbose_name_plural = _("co-lead invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.initiative}"

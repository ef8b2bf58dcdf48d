"""Who takes part: people, organisations, and the memberships that link them.

A professional ("regular producer") is a person with a staff membership of a public agency; a
third-sector worker has one with a third-sector organisation. One person may hold several.
"""

import rules
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .permissions import allows


class Sector(models.TextChoices):
    PUBLIC = "public", _("Public agency")
    THIRD = "third", _("Third-sector organisation")
    PRIVATE = "private", _("Private provider")
    COMMUNITY = "community", _("Community group")


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, email_confirmed=True)
        return self._create(email, password, **extra)


class Person(AbstractUser):
    """Anyone with an account. Signs in with an email address; there is no separate username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150)
    email_confirmed = models.BooleanField(_("email confirmed"), default=False)
    area = models.CharField(
        _("area"), max_length=120, blank=True, help_text=_("Neighbourhood or town you live in.")
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("en", "English"), ("fr", "Français")],
        default="en",
    )
    bio = models.TextField(_("about you"), blank=True)
    erased_at = models.DateTimeField(
        _("personal data erased"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The account was closed and its personal data erased (it stays pseudonymous)."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def has_perm(self, perm: str, obj=None) -> bool:
        """Our own permissions (the django-rules ones) are decided by their predicates alone,
        as the services decide them (``permissions.allows``), so a page never offers an
        administrator a button its service will refuse. Django's model permissions keep
        Django's answer (a superuser has them all), which the admin site relies on."""
        if rules.perm_exists(perm):
            return allows(self, perm, obj)
        return super().has_perm(perm, obj)


class Organisation(models.Model):
    """A public agency, third-sector organisation, private provider or community group.

    An organisation may span several sectors; such a "hybrid" organisation is common in
    co-production (a housing association run as a social enterprise, say).
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    sectors = models.JSONField(_("sectors"), default=list)
    area = models.CharField(_("area"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        Person, through="Membership", related_name="organisations", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        valid = set(Sector.values)
        if not self.sectors:
            raise ValidationError({"sectors": _("Choose at least one sector.")})
        if not isinstance(self.sectors, list) or not set(self.sectors) <= valid:
            raise ValidationError({"sectors": _("Unknown sector.")})

    @property
    def is_hybrid(self) -> bool:
        return len(set(self.sectors)) > 1

    def sector_labels(self) -> list[str]:
        return [str(Sector(code).label) for code in self.sectors if code in Sector.values]


class Membership(models.Model):
    class Role(models.TextChoices):
        STAFF = "staff", _("Professional staff")
        VOLUNTEER = "volunteer", _("Volunteer")
        SERVICE_USER = "service_user", _("Service user")
        MANAGER = "manager", _("Manager")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.organisation} ({self.get_role_display()})"

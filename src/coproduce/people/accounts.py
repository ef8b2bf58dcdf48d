"""How django-allauth's account flows meet the people app (ADR 0006).

allauth owns the pages and the tokens (sign-up, log-in, confirmation links, password reset and
change, throttling). Every write to a person still goes through :mod:`coproduce.people.services`,
so a sign-up and a confirmation leave their audit rows like any other change.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm, SignupForm
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import services, throttle
from .models import Person


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Person, form, commit: bool = True) -> Person:
        """Create the account through the sign-up service (one transaction, one audit row)."""
        if not commit:
            return super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        language = (get_language() or "")[:2]
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        return services.person_sign_up(
            email=data["email"],
            password=data["password1"],
            display_name=data["display_name"],
            area=data.get("area", ""),
            preferred_language=language,
        )

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        """Mark the address verified (allauth) and the person confirmed (our service) together."""
        with transaction.atomic():
            verified = super().confirm_email(request, email_address)
            if verified:
                services.person_confirm_email(person=email_address.user, email=email_address.email)
        return verified

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Write to a person in the language they chose, not the one the request was made in."""
        person = Person.objects.filter(email__iexact=email).first()
        language = person.preferred_language if person else get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Throttle failed log-ins and tell a locked-out person when to try again."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError as refusal:
            wait = throttle.seconds_to_wait(
                request,
                action="login_failed",
                key=self._get_login_attempts_cache_key(request, **credentials),
            )
            if not wait:
                raise
            raise forms.ValidationError(
                throttle.wait_message(wait), code="too_many_login_attempts"
            ) from refusal


class LogInForm(LoginForm):
    """allauth's log-in form in the site's words: the address, the password, "remember me"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email address")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""
        self.fields["remember"].label = _("Keep me logged in on this device")


class SignUpForm(SignupForm):
    """allauth's sign-up form in the site's words."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "email": _("Email address"),
            "password1": _("Password"),
            "password2": _("Password again"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
            self.fields[name].widget.attrs.pop("placeholder", None)
        self.fields["password1"].help_text = _(
            "At least 10 characters; not only digits; not a common password."
        )
        self.order_fields(["display_name", "email", "area", "password1", "password2"])

"""Email to a person, in the language they chose: one place for what every app's services did
by hand (switch language, compose, send from the site's address)."""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import override

#: Returns (subject, body). Called with the person's language active, so ``gettext`` inside it
#: translates into that language.
Compose = Callable[[], tuple[str, str]]


def send_in_language(*, address: str, language: str | None, compose: Compose) -> None:
    """Send one plain-text message to ``address`` with ``language`` active while composing."""
    with override(language or settings.LANGUAGE_CODE):
        subject, body = compose()
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )


def send_to_person(person, compose: Compose) -> None:
    """Send one message to a person with an account, in their preferred language."""
    send_in_language(address=person.email, language=person.preferred_language, compose=compose)

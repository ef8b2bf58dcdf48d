"""Refusals made while the settings load, so that every way of starting the site (gunicorn,
``runserver``, ``migrate``, any management command) stops before it serves or writes anything."""

from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5


def check_production_secret_key(key: str, *, demo_key: str) -> None:
    """Refuse the public demo key, and any key an attacker could guess, when HTTPS is on.

    The key signs sessions, password-reset and email-confirmation links: with a known key anyone
    can forge them. The thresholds are those of Django's own deployment check (security.W009).
    """
    advice = (
        f"Set SECRET_KEY to a random secret of at least {SECRET_KEY_MIN_LENGTH} characters, for "
        "example the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
    if key == demo_key:
        problem = "SECRET_KEY is the demo's key, which is public."
    elif len(key) < SECRET_KEY_MIN_LENGTH:
        problem = f"SECRET_KEY has {len(key)} characters."
    elif len(set(key)) < SECRET_KEY_MIN_DISTINCT or key.startswith("django-insecure"):
        problem = "SECRET_KEY is too easy to guess."
    else:
        return
    raise ImproperlyConfigured(f"HTTPS is on (production) but {problem} {advice}")

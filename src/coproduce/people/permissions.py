"""The one check every service makes before it writes: may this actor do this?

It lives in ``people``, the lowest layer that knows who a person is, so every app above can use
it. Services call :func:`require` themselves rather than trusting their caller: web pages, the
JSON API, management commands and the admin all reach the same services, and a rule that only a
view checked could be skipped by any of the others.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def require(actor: Any, perm: str, obj: Any = None, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` (with ``message``) unless ``actor`` holds the django-rules
    permission ``perm`` on ``obj``.

    ``actor=None`` is always refused: the system acts without a person only through services
    written for it (a scheduled job), which say so and do not call this function.
    """
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(message or _("You may not do this."))

"""The one check every service makes before it writes: may this actor do this?

It lives in ``people``, the lowest layer that knows who a person is, so every app above can use
it. Services call :func:`require` themselves rather than trusting their caller: web pages, the
JSON API, management commands and the admin all reach the same services, and a rule that only a
view checked could be skipped by any of the others.
"""

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def allows(actor: Any, perm: str, obj: Any = None) -> bool:
    """Whether the django-rules predicate of ``perm`` holds for ``actor`` on ``obj``.

    The predicate alone decides, for administrators too: Django's ``User.has_perm`` answers yes
    to a superuser before any predicate is asked, which would let an administrator do what no
    rule grants anyone (confirm their own contribution, answer an invitation sent to someone
    else). Where administrators may act, the rule says so with ``is_administrator``.
    """
    if actor is None or (actor.is_authenticated and not actor.is_active):
        return False
    return rules.has_perm(perm, actor, obj)


def require(actor: Any, perm: str, obj: Any = None, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` (with ``message``) unless ``actor`` may do ``perm`` on ``obj``
    (:func:`allows`).

    ``actor=None`` is always refused: the system acts without a person only through services
    written for it (a scheduled job), which say so and do not call this function.
    """
    if not allows(actor, perm, obj):
        raise PermissionDenied(message or _("You may not do this."))

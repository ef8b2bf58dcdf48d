"""Throttling of what can be abused by repetition: failed log-ins, sign-ups, password resets,
invitations (per account, per address and per network address).

The counting is django-allauth's (its rates live in ``settings.ACCOUNT_RATE_LIMITS``, in the
shared cache); this module adds what allauth does not say: how long a refused person must wait.
"""

import math
import time

from allauth.core.internal import ratelimit as _ratelimit
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

_APP = "allauth.account"


def consume(request: HttpRequest, *, action: str, key: str | None = None) -> float:
    """Count one attempt at ``action``: 0 if it may go ahead, else the seconds to wait."""
    if _ratelimit.consume(request, app=_APP, action=action, key=key, limit_get=True):
        return 0.0
    return seconds_to_wait(request, action=action, key=key) or 60.0


def seconds_to_wait(request: HttpRequest, *, action: str, key: str | None = None) -> float:
    """How long until every rate of ``action`` admits one more attempt (0: it already does)."""
    now = time.time()
    wait = 0.0
    for rate in _ratelimit.get_rates(app=_APP, action=action):
        if (rate.per == "key" and key is None) or (
            rate.per == "user" and not request.user.is_authenticated
        ):
            continue
        cache_key = _ratelimit.get_cache_key(request, app=_APP, action=action, rate=rate, key=key)
        recent = sorted(
            (hit for hit in cache.get(cache_key, []) if hit > now - rate.duration), reverse=True
        )
        if len(recent) >= rate.amount:
            wait = max(wait, recent[rate.amount - 1] + rate.duration - now)
    return wait


def wait_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many attempts. Try again in %(minutes)d minute.",
        "Too many attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}

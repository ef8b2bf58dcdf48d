"""How many requests an Open311 API key may post: ``OPEN311_POSTS_PER_MINUTE`` in each minute
of the clock, counted in Django's cache.

The default cache is the database's (``CACHE_URL``), so every server process counts together;
a local-memory cache would let each process count on its own.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


def post_allowed(api_key_id: int, *, now: float | None = None) -> int | None:
    """Count one post for this key. ``None`` when it is within the limit, else how many seconds
    the client should wait (for ``Retry-After``)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"open311:posts:{api_key_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count <= settings.OPEN311_POSTS_PER_MINUTE:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))

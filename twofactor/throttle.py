"""Failed second-factor codes counted per person in the shared cache (a fixed window from the first)."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache


def _key(user_id: int) -> str:
    return f"otp-fail:user:{user_id}"


def blocked(user_id: int) -> bool:
    return int(cache.get(_key(user_id)) or 0) >= settings.HELPDESK_2FA_MAX_FAILURES


def failed(user_id: int) -> None:
    key = _key(user_id)
    window = int(settings.HELPDESK_2FA_WINDOW.total_seconds())
    now = time.time()
    cache.add(f"{key}:since", now, timeout=window)  # no-ops once the window has started
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)  # atomic in Redis
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
    # Some backends' incr() (the file cache's) sets the default timeout: keep the window's end.
    since = cache.get(f"{key}:since") or now
    cache.touch(key, max(1, math.ceil(window - (now - since))))


def reset(user_id: int) -> None:
    cache.delete_many([_key(user_id), f"{_key(user_id)}:since"])

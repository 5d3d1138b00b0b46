"""Failed second-factor codes counted per person in the shared cache (a fixed window from the first)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _key(user_id: int) -> str:
    return f"otp-fail:user:{user_id}"


def blocked(user_id: int) -> bool:
    return int(cache.get(_key(user_id)) or 0) >= settings.HELPDESK_2FA_MAX_FAILURES


def failed(user_id: int) -> None:
    key = _key(user_id)
    window = int(settings.HELPDESK_2FA_WINDOW.total_seconds())
    cache.add(key, 0, timeout=window)  # a no-op when the window has started
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)


def reset(user_id: int) -> None:
    cache.delete(_key(user_id))

"""Login throttling: failed attempts counted in the cache per username and per client address.

Both counters expire a fixed window after the first failure. The message never says which
counter tripped or whether the account exists.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _key(kind: str, value: str) -> str:
    # Hashed so that arbitrary user input never becomes part of a cache key.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a proxy that we trust rewrites it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(request: HttpRequest, username: str) -> list[str]:
    return [_key("user", username or ""), _key("addr", client_address(request))]


def login_blocked(request: HttpRequest, username: str) -> bool:
    counts = cache.get_many(_keys(request, username))
    return any(int(v) >= settings.HELPDESK_LOGIN_MAX_FAILURES for v in counts.values())


def login_failed(request: HttpRequest, username: str) -> None:
    window = int(settings.HELPDESK_LOGIN_WINDOW.total_seconds())
    for key in _keys(request, username):
        # add() is a no-op when the key exists, so the window starts with the first failure.
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)


def login_succeeded(request: HttpRequest, username: str) -> None:
    cache.delete(_key("user", username or ""))

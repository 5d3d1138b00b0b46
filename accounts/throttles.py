"""Throttles for sign-in: per account and per client address, counted in the shared cache."""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _LoginThrottle(SimpleRateThrottle):
    scope = "login"

    def get_rate(self) -> str | None:
        # Read on every request (not at import like DRF's class attribute) so settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class LoginAddressThrottle(_LoginThrottle):
    """Attempts per client address (REMOTE_ADDR, or X-Forwarded-For when NUM_PROXIES is set)."""

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": "login_addr", "ident": self.get_ident(request)}


class LoginUsernameThrottle(_LoginThrottle):
    """Attempts per account name, whether or not the account exists (so the answer reveals nothing)."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        data = request.data
        username = data.get("username") if hasattr(data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return self.cache_format % {"scope": "login_user", "ident": digest}

"""``Authorization: Bearer <token>`` (and ``Token <token>``, as API.md has always said) for DRF."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from .models import ApiToken
from .services import api_token_check

KEYWORDS = (b"bearer", b"token")
INVALID = _("Invalid, expired or revoked token.")
READ_ONLY = _("This token may only read.")
SETUP_2FA = _("Set up two-factor authentication in your account first.")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(INVALID)
        try:
            raw = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        token = api_token_check(raw=raw)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        from twofactor.selectors import setup_required

        if setup_required(user=token.user):
            raise exceptions.PermissionDenied(SETUP_2FA)
        if token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(READ_ONLY)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return "Bearer"

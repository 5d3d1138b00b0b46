"""The local password backend: Django's ModelBackend, refusing staff while local passwords are off
for them (sign-in page, ``POST /api/v1/auth/token/``, the Django admin: every password check)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .selectors import staff_password_refused

# Set on the request when a right password was refused, so the sign-in form and the token API can say
# why instead of "wrong password" (only after a right password: nothing is told to a guesser).
REFUSED_FLAG = "sso_staff_password_refused"


class LocalPasswordBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and staff_password_refused(user):
            if request is not None:
                setattr(request, REFUSED_FLAG, True)
            # None, not PermissionDenied: a directory backend after this one (LDAP) may still accept the
            # person's directory password; no backend after it checks local passwords.
            return None
        return user

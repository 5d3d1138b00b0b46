"""The "Sign in with …" buttons of the sign-in page. A source that signs in by redirect (OIDC, SAML)
appends a function here (in its AppConfig.ready or at import) that returns ``(label, url)`` when the
source is configured, else None. LDAP needs no button: it checks the password form's credentials."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

LOGIN_BUTTONS: list[Callable[[], tuple[str, str] | None]] = []


def login_buttons() -> list[dict[str, str]]:
    out = []
    for make in LOGIN_BUTTONS:
        button = make()
        if button is not None:
            out.append({"label": button[0], "url": button[1]})
    return out


def _oidc_button() -> tuple[str, str] | None:
    if not settings.HELPDESK_SSO_OIDC_ENABLED:
        return None
    from .oidc import provider_name

    return gettext("Sign in with %(name)s") % {"name": provider_name()}, reverse("oidc_authentication_init")


LOGIN_BUTTONS.append(_oidc_button)

"""The second factor's state of a browser session, kept in the session so pages cost no query.

``none``: the person has no second factor; ``pending``: they have one and have not yet entered a
code in this session; ``ok``: they have (or a remembered browser vouched for them).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from accounts.models import User

from . import selectors, services

KEY = "twofactor"
NONE, PENDING, OK = "none", "pending", "ok"
REMEMBER_COOKIE = "hd_2fa_remember"


def state_at_sign_in(request: HttpRequest, user: User) -> str:
    if not selectors.has_two_factor(user=user):
        return NONE
    cookie = request.COOKIES.get(REMEMBER_COOKIE)
    return OK if services.remember_cookie_valid(user=user, value=cookie) else PENDING


def state(request: HttpRequest) -> str:
    value = request.session.get(KEY)
    if value not in (NONE, PENDING, OK):  # a session from before two factors existed
        value = state_at_sign_in(request, request.user)
        request.session[KEY] = value
    return value


def mark(request: HttpRequest, value: str) -> None:
    request.session[KEY] = value


def must_set_up(request: HttpRequest) -> bool:
    return bool(settings.HELPDESK_REQUIRE_2FA_FOR_STAFF and request.user.is_agent and state(request) == NONE)

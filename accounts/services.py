"""Writes on people and organisation: users made by supervisors, customers who sign up or whom an
agent or an incoming mail records, and profile settings."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.errors import ApplicationError

from .models import Team, User

CUSTOMER_NO_TEAMS = _("Customers are not members of teams.")


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str,
    role: str = User.Role.CUSTOMER,
    language: str = "",
    teams: Iterable[Team] = (),
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A new account. The password must pass the configured validators (400 with field errors)."""
    teams = list(teams)
    if role == User.Role.CUSTOMER and teams:
        raise ValidationError({"teams": [CUSTOMER_NO_TEAMS]})
    user = User(
        username=username,
        email=email,
        role=role,
        language=language,
        first_name=first_name,
        last_name=last_name,
    )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if teams:
        user.teams.set(teams)
    return user


LANGUAGE_UNKNOWN = "Unknown language."


@transaction.atomic
def customer_sign_up(
    *, username: str, email: str, password: str, first_name: str = "", last_name: str = "", language: str = ""
) -> User:
    """A customer who registers themselves (the form has validated username, email and password)."""
    user = User(
        username=username,
        email=email.strip().lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=User.Role.CUSTOMER,
        language=language,
    )
    user.set_password(password)
    user.save()
    return user


def _free_username(email: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0])[:140] or "customer"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}-{get_random_string(4).lower()}"
    return candidate


@transaction.atomic
def customer_create_by_agent(
    *, email: str, first_name: str = "", last_name: str = "", language: str = ""
) -> User:
    """A customer an agent records (e.g. from a phone call). No password: they may reset one later."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            gettext("A user with this email address already exists."), field="new_customer_email"
        )
    user = User(
        username=_free_username(email),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=User.Role.CUSTOMER,
        language=language,
    )
    user.set_unusable_password()
    user.save()
    return user


def user_language_set(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(gettext(LANGUAGE_UNKNOWN), field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_sessions_end(*, user: User) -> User:
    """Ends every session of ``user`` on every device (and their remembered browsers, whose cookies are
    bound to the same hash). A view that wants to keep the caller's own session signed in calls
    ``django.contrib.auth.update_session_auth_hash`` with the returned user afterwards."""
    from django.db.models import F

    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return user

"""Writes on people and organisation."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

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

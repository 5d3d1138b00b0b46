"""Creating, checking and revoking personal API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_person_event
from helpdesk.errors import ApplicationError

from .models import ApiToken

TOKEN_START = "hd_"
# Writing "last used" once a minute at most: one UPDATE per token per minute, not per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_DAYS = 366
EXPIRY_RANGE = _("Choose between 1 and 366 days.")
NAME_TAKEN = _("You already have an active token with this name.")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _parse(raw: str) -> tuple[str, str] | None:
    """``hd_<prefix>_<secret>`` → (prefix, secret); None for anything else."""
    if not raw.startswith(TOKEN_START) or len(raw) > 100:
        return None
    prefix, sep, secret = raw[len(TOKEN_START) :].partition("_")
    if not sep or not prefix or not secret:
        return None
    return prefix, secret


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scope: str = ApiToken.Scope.READ, expires_in_days: int = 90
) -> tuple[ApiToken, str]:
    """A new token and its plain text, which is never stored and cannot be shown again."""
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise ApplicationError(str(EXPIRY_RANGE), field="expires_in_days")
    name = name.strip()
    now = timezone.now()
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True, expires_at__gt=now).exists():
        raise ApplicationError(str(NAME_TAKEN), field="name")
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=prefix,
        digest=_digest(raw),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    # The name, access and expiry, never the token (nor its prefix or digest).
    audit_person_event(
        action=AuditEntry.Action.TOKEN_CREATED, person=user, actor=user, details=_details(token)
    )
    return token, raw


def _details(token: ApiToken) -> dict[str, str]:
    return {
        "token_name": token.name,
        "scope": token.scope,
        "expires": token.expires_at.date().isoformat(),
    }


def api_token_for_login(*, user: User) -> tuple[ApiToken, str]:
    """The token ``POST /api/v1/auth/token/`` issues: full access, expiring after the configured days."""
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    return api_token_create(
        user=user,
        name=f"API sign-in {stamp} {secrets.token_hex(2)}",
        scope=ApiToken.Scope.WRITE,
        expires_in_days=settings.HELPDESK_API_LOGIN_TOKEN_DAYS,
    )


def api_token_check(*, raw: str) -> ApiToken | None:
    """The active token for this plain text (with its user), or None. Compares in constant time."""
    parsed = _parse(raw)
    if parsed is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parsed[0]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


_CURRENT = object()


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Any = _CURRENT) -> ApiToken:
    """``by``: who revokes, for the audit log (default: whoever is acting, ``audit.context``)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        extra = {} if by is _CURRENT else {"actor": by}
        audit_person_event(
            action=AuditEntry.Action.TOKEN_REVOKED, person=token.user, details=_details(token), **extra
        )
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: User, by: Any = _CURRENT) -> int:
    """Revokes every active token of ``user`` (a supervisor's two-factor reset, an account turned off);
    one audit entry per token. Returns how many."""
    tokens = list(
        ApiToken.objects.select_for_update().filter(
            user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
    )
    for token in tokens:
        token.user = user
        api_token_revoke(token=token, by=by)
    return len(tokens)

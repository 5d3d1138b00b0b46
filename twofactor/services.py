"""Two-factor authentication: an authenticator app (TOTP) plus one-time recovery codes (django-otp).

Every check of a code goes through ``two_factor_check``: throttled per person (HELPDESK_2FA_MAX_FAILURES
per HELPDESK_2FA_WINDOW, whether the code was for the app or a recovery code), under a row lock so that
a TOTP code or a recovery code is accepted once only even by parallel requests.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import user_sessions_end
from audit.models import AuditEntry
from audit.services import audit_person_event
from helpdesk.errors import ApplicationError

from . import throttle

RECOVERY_CODES = 10
WRONG_CODE = _("This code is not valid. Check your authenticator app's clock, or use a recovery code.")
THROTTLED = _("Too many wrong codes. Please wait a few minutes and try again.")
ALREADY_ON = _("Two-factor authentication is already on.")
NOT_ON = _("Two-factor authentication is not on.")
REMEMBER_SALT = "twofactor.remember"


class TooManyAttempts(ApplicationError):
    status_code = 429


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _check_locked(*, user: User, code: str, confirmed: bool = True) -> TOTPDevice | StaticDevice | None:
    code = _normalise(code)
    if not code or len(code) > 16:
        return None
    if code.isdigit():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=confirmed):
            if device.verify_token(code):
                return device
        return None
    for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


@transaction.atomic
def two_factor_check(*, user: User, code: str, field: str = "code") -> TOTPDevice | StaticDevice:
    """The device that accepted ``code`` (a recovery code is used up); else a 400, or 429 when throttled."""
    if throttle.blocked(user.pk):
        raise TooManyAttempts(str(THROTTLED), field=field)
    device = _check_locked(user=user, code=code)
    if device is None:
        throttle.failed(user.pk)
        raise ApplicationError(str(WRONG_CODE), field=field)
    throttle.reset(user.pk)
    return device


def totp_setup_start(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: a new secret, not yet confirmed (one per person)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ApplicationError(str(ALREADY_ON))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def _new_recovery_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def totp_setup_confirm(*, user: User, code: str) -> list[str]:
    """Turns two factors on once the app's first code is right; returns the recovery codes (shown once)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ApplicationError(str(ALREADY_ON))
    if throttle.blocked(user.pk):
        raise TooManyAttempts(str(THROTTLED), field="code")
    device = _check_locked(user=user, code=code, confirmed=False)
    if device is None:
        throttle.failed(user.pk)
        raise ApplicationError(str(WRONG_CODE), field="code")
    throttle.reset(user.pk)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    # Sessions elsewhere were signed in without the second factor: they end (the view keeps its own).
    user_sessions_end(user=user)
    audit_person_event(action=AuditEntry.Action.TWO_FACTOR_ON, person=user, actor=user)
    return _new_recovery_codes(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ApplicationError(str(NOT_ON))
    two_factor_check(user=user, code=code)
    audit_person_event(action=AuditEntry.Action.RECOVERY_CODES, person=user, actor=user)
    return _new_recovery_codes(user=user)


def _remove_devices(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    throttle.reset(user.pk)


@transaction.atomic
def two_factor_disable(*, user: User, code: str) -> None:
    """The person turns two factors off, proving it with a current code."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ApplicationError(str(NOT_ON))
    two_factor_check(user=user, code=code)
    _remove_devices(user=user)
    # Every other session and remembered browser ends; the view keeps the caller's own session.
    user_sessions_end(user=user)
    audit_person_event(action=AuditEntry.Action.TWO_FACTOR_OFF, person=user, actor=user)


@transaction.atomic
def two_factor_reset(*, user: User, by: User) -> int:
    """A supervisor removes someone's two factors (a lost phone, or a stolen one).

    Treated as a possible compromise (docs/two-factor.md): every session of the person ends on every
    device, remembered browsers stop counting and their personal API tokens are revoked. Returns the
    number of tokens revoked."""
    from apitokens.services import api_tokens_revoke_all

    if not by.is_supervisor:
        raise ApplicationError(str(_("Only supervisors may reset two-factor authentication.")))
    _remove_devices(user=user)
    user_sessions_end(user=user)
    revoked = api_tokens_revoke_all(user=user, by=by)
    audit_person_event(
        action=AuditEntry.Action.TWO_FACTOR_RESET,
        person=user,
        actor=by,
        details={"tokens_revoked": revoked, "sessions_ended": True},
    )
    return revoked


# --- remembered browsers: a signed, expiring cookie bound to the person and their app's secret ---


def _fingerprint(device: TOTPDevice, user: User) -> str:
    # The session hash changes with the password and with ``user_sessions_end``: a new password, a
    # reset or an account turned off makes every remembered browser give the code again.
    bound = f"{device.pk}:{device.key}:{user.get_session_auth_hash()}"
    return hashlib.sha256(bound.encode()).hexdigest()[:32]


def remember_cookie_value(*, device: TOTPDevice, user: User) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(device, user)}, salt=REMEMBER_SALT)


def remember_cookie_valid(*, user: User, value: str | None) -> bool:
    """True for a cookie this person got while their current app was set up, within its lifetime.

    Turning two factors off or a supervisor's reset replaces the secret, and a new password or ended
    sessions change the person's session hash: old cookies stop counting.
    """
    if not value or not settings.HELPDESK_2FA_REMEMBER_DAYS:
        return False
    try:
        data = signing.loads(value, salt=REMEMBER_SALT, max_age=settings.HELPDESK_2FA_REMEMBER_DAYS * 86400)
    except signing.BadSignature:
        return False
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return False
    return any(
        _fingerprint(device, user) == data.get("f")
        for device in TOTPDevice.objects.filter(user=user, confirmed=True)
    )

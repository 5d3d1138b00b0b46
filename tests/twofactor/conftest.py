from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from twofactor import services


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """What the person's authenticator app shows at ``at`` (now by default), computed from the secret."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)  # a phone knows no drift
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def enable(user: User) -> tuple[TOTPDevice, list[str]]:
    """Two factors on for ``user``, the way the setup page does it; the code is one step back so that
    the next code of "now" is still fresh."""
    device = services.totp_setup_start(user=user)
    codes = services.totp_setup_confirm(user=user, code=code_for(device, time.time() - 30))
    device.refresh_from_db()
    return device, codes


@pytest.fixture(autouse=True)
def _empty_throttle():  # noqa: ANN202
    cache.clear()
    yield
    cache.clear()

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def totp_device(*, user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if two-factor authentication is on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_two_factor(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def setup_required(*, user: User) -> bool:
    """Staff must set up two factors (HELPDESK_REQUIRE_2FA_FOR_STAFF) and have not yet."""
    return bool(settings.HELPDESK_REQUIRE_2FA_FOR_STAFF and user.is_agent and not has_two_factor(user=user))


def staff_with_two_factor() -> list[User]:
    """People whose two factors a supervisor may reset: everyone with a device, by name."""
    ids = set(TOTPDevice.objects.values_list("user_id", flat=True)) | set(
        StaticDevice.objects.values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("first_name", "last_name", "id"))

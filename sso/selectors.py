"""Reads for single sign-on: the settings row, the configured sources, the mappings."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from .models import GroupMapping, Source, SsoSettings


def sso_settings_get() -> SsoSettings:
    """The one settings row (made with the defaults on first use)."""
    row, _created = SsoSettings.objects.get_or_create(pk=1)
    return row


def configured_sources() -> list[str]:
    """The sources this installation has set up: ``HELPDESK_SSO_<SOURCE>_ENABLED`` in the settings
    (OIDC: on when OIDC_ISSUER is set; LDAP and SAML set theirs the same way)."""
    return [s.value for s in Source if getattr(settings, f"HELPDESK_SSO_{s.value.upper()}_ENABLED", False)]


def group_mapping_list() -> QuerySet[GroupMapping]:
    return GroupMapping.objects.prefetch_related("teams").order_by("source", "group")


def staff_password_refused(user: object) -> bool:
    """Whether ``user`` may not sign in with a local password (staff while passwords are off)."""
    if not getattr(user, "is_agent", False):
        return False
    return sso_settings_get().staff_passwords_off

"""Sign-in against an LDAP directory or Active Directory (django-auth-ldap), into ``sso.services.provision``.

The sign-in form's username and password are bound against the directory (django-auth-ldap: search the
user with the service account, bind as them). Then the person's entry and groups go through the
group → role / team mapping (``provision``, source ``ldap``, identity: the login name) instead of
django-auth-ldap's own user population, so LDAP, OIDC and SAML follow the same rules. The second
factor follows as after any sign-in (``user_logged_in``).

**Disabled in the directory.** An entry that says it is disabled (Active Directory's
``userAccountControl`` with ACCOUNTDISABLE, 389-DS/FreeIPA's ``nsAccountLock``, OpenLDAP ppolicy's
``pwdAccountLockedTime``) or that is gone is refused at the next sign-in: ``provision(active=False)``
takes away what the mapping granted, and the account's sessions end (its session hash changes). A
locked or deleted account cannot bind any more, so after every failed bind the service account looks
the name up; a wrong password of an enabled person changes nothing.

Configuration: ``sso.ldap_config.ldap_settings()`` turns the ``LDAP_*`` environment variables (README, docs/sso-ldap-saml.md)
into django-auth-ldap's ``AUTH_LDAP_*`` settings; ``helpdesk/settings.py`` applies them.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import ldap
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend
from ldap.filter import escape_filter_chars

from accounts.models import User

from .ldap_config import USER_ATTRLIST
from .models import ExternalIdentity, Source
from .services import SignInRefused, provision

logger = logging.getLogger(__name__)

# Set on the request when the directory (or the mapping) refused a right password, with the reason.
REFUSED_ATTR = "sso_ldap_refused"

AD_ACCOUNTDISABLE = 0x2


def _first(attrs: dict[str, list[str]], name: str) -> str:
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            return str(values[0])
    return ""


def entry_disabled(attrs: dict[str, list[str]]) -> bool:
    """Whether the directory entry says the account is disabled (AD, 389-DS/FreeIPA, OpenLDAP ppolicy)."""
    uac = _first(attrs, "userAccountControl")
    if uac.lstrip("-").isdigit() and int(uac) & AD_ACCOUNTDISABLE:
        return True
    if _first(attrs, "nsAccountLock").upper() == "TRUE":
        return True
    return bool(_first(attrs, "pwdAccountLockedTime"))


def _full_name(attrs: dict[str, list[str]]) -> str:
    name = _first(attrs, getattr(settings, "HELPDESK_LDAP_ATTR_FULL_NAME", "cn"))
    return name or " ".join(p for p in (_first(attrs, "givenName"), _first(attrs, "sn")) if p)


def _identity_key(username: str) -> str:
    return username.strip().lower()


def _end_sessions(user: User) -> None:
    """Every session of ``user`` ends at its next request: the session hash is made from the password
    field, which a fresh unusable password changes."""
    user.set_unusable_password()
    User.objects.filter(pk=user.pk).update(password=user.password)


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend; the account itself comes from ``provision``."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not getattr(settings, "HELPDESK_SSO_LDAP_ENABLED", False) or not username or not password:
            return None
        try:
            user = super().authenticate(request, username=username, password=password, **kwargs)
        except SignInRefused as refused:
            if request is not None:
                setattr(request, REFUSED_ATTR, str(refused))
                if hasattr(request, "_messages"):
                    # The right password: the reason may be told (the form itself only says "incorrect").
                    messages.error(request, str(refused))
            identity = ExternalIdentity.objects.filter(
                source=Source.LDAP, external_id=_identity_key(username)
            ).first()
            if identity is not None:
                _end_sessions(identity.user)
            raise PermissionDenied from refused  # no local password may then sign this person in
        if user is None:
            self._refuse_if_gone_or_disabled(username)
        return user

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        """Called by django-auth-ldap after a successful bind: the mapping's account for this entry."""
        attrs = ldap_user.attrs or {}
        groups: set[str] = set()
        if getattr(settings, "AUTH_LDAP_GROUP_SEARCH", None) is not None:
            groups = {*ldap_user.group_names, *ldap_user.group_dns}
        disabled = entry_disabled(attrs)
        user = provision(
            source=Source.LDAP,
            external_id=_identity_key(username),
            email=_first(attrs, getattr(settings, "HELPDESK_LDAP_ATTR_EMAIL", "mail")),
            full_name=_full_name(attrs),
            groups=sorted(groups),
            active=not disabled,
        )
        return user, False

    def get_user(self, user_id: int) -> User | None:
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def _refuse_if_gone_or_disabled(self, username: str) -> None:
        """After a failed bind: a linked person whom the directory no longer has, or has disabled, is
        refused now (their staff rights and sessions end) rather than whenever they would sign in again."""
        identity = (
            ExternalIdentity.objects.select_related("user")
            .filter(source=Source.LDAP, external_id=_identity_key(username))
            .first()
        )
        if identity is None:
            return
        state = self._directory_state(username)
        if state in ("enabled", "unknown"):
            return  # a wrong password, or the directory could not be asked: nothing to conclude
        logger.info("LDAP account %s is %s: its sign-ins are refused", identity.external_id, state)
        with contextlib.suppress(SignInRefused):
            provision(
                source=Source.LDAP,
                external_id=identity.external_id,
                email=identity.user.email,
                full_name="",
                groups=[],
                active=False,
            )
        _end_sessions(identity.user)

    def _directory_state(self, username: str) -> str:
        """``enabled``, ``disabled``, ``gone`` or ``unknown`` (no service account, or the server failed)."""
        search = getattr(settings, "AUTH_LDAP_USER_SEARCH", None)
        if search is None or not getattr(settings, "AUTH_LDAP_BIND_DN", ""):
            return "unknown"
        try:
            conn = ldap.initialize(settings.AUTH_LDAP_SERVER_URI)
            for option, value in settings.AUTH_LDAP_CONNECTION_OPTIONS.items():
                conn.set_option(option, value)
            if getattr(settings, "AUTH_LDAP_START_TLS", False):
                conn.start_tls_s()
            conn.simple_bind_s(settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD)
            try:
                # Not LDAPSearch.execute: it answers "nothing found" when the server fails.
                results = conn.search_s(
                    search.base_dn,
                    search.scope,
                    search.filterstr % {"user": escape_filter_chars(username)},
                    USER_ATTRLIST,
                )
            finally:
                conn.unbind_s()
        except ldap.LDAPError as error:
            logger.warning("LDAP lookup of %s failed: %s", username, error)
            return "unknown"
        entries = [attrs for dn, attrs in results if dn]  # Active Directory adds referrals without a DN
        if not entries:
            return "gone"
        decoded = {k: [v.decode(errors="replace") for v in vs] for k, vs in entries[0].items()}
        return "disabled" if entry_disabled(decoded) else "enabled"

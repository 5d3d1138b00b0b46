"""Sign-in through a SAML 2.0 identity provider (djangosaml2 on pysaml2), into ``sso.services.provision``.

djangosaml2 sends the AuthnRequest (``/saml2/login/``) and checks the Response at the assertion
consumer service (``/saml2/acs/``): pysaml2 verifies the IdP's signature over the assertion with the
certificate from the IdP's metadata (xmlsec1), the audience, the time window, and that the response
answers a request this browser made (``allow_unsolicited`` off: djangosaml2's outstanding queries in
its own session cookie). So a tampered or unsigned response, a response meant for another service,
one replayed after its first use, or one pushed into another browser (login CSRF) is refused.

The person then goes through the group → role / team mapping (``provision``, source ``saml``,
identity: the NameID, qualified by the IdP) instead of djangosaml2's own user population. The second
factor follows as after any sign-in (``user_logged_in``).

Configuration: ``sso.saml_config.saml_settings()`` turns the ``SAML_*`` environment variables (README,
docs/sso-ldap-saml.md) into djangosaml2's ``SAML_CONFIG``; the IdP's metadata (a URL or a file) is read
by ``config_loader`` and kept in the cache for ``SAML_IDP_METADATA_CACHE_SECONDS``.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from djangosaml2.views import AssertionConsumerServiceView
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_UNSPECIFIED

from accounts.models import User

from .models import Source
from .services import SignInRefused, provision

logger = logging.getLogger(__name__)

REFUSED_ATTR = "sso_saml_refused"


def idp_metadata() -> str:
    """The IdP's metadata XML: the file, or the URL's answer (cached; a failed fetch is not cached)."""
    path = getattr(settings, "HELPDESK_SAML_IDP_METADATA_FILE", "")
    if path:
        return Path(path).read_text()
    url = settings.HELPDESK_SAML_IDP_METADATA_URL
    key = "sso:saml:idp-metadata:" + hashlib.sha256(url.encode()).hexdigest()[:32]
    xml = cache.get(key)
    if xml is None:
        answer = requests.get(url, timeout=10)
        answer.raise_for_status()
        xml = answer.text
        cache.set(key, xml, settings.HELPDESK_SAML_METADATA_CACHE_SECONDS)
    return xml


def config_loader(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the settings' SP configuration with the IdP's metadata inline."""
    config = copy.deepcopy(settings.SAML_CONFIG)
    config["metadata"] = {"inline": [idp_metadata()]}
    sp_config = SPConfig()
    sp_config.load(config)
    return sp_config


def _values(ava: dict[str, list[Any]], name: str) -> list[str]:
    for key, values in ava.items():
        if key.lower() == name.lower():
            return [str(v) for v in values if v is not None and str(v).strip()]
    return []


class SamlBackend(BaseBackend):
    """Authenticates the person of a checked SAML response (djangosaml2 calls ``authenticate`` with
    ``session_info`` after pysaml2 verified it); the account comes from ``provision``."""

    def authenticate(
        self, request: HttpRequest | None, session_info: dict | None = None, **kwargs: Any
    ) -> User | None:
        if session_info is None or "ava" not in session_info:
            return None
        ava = session_info["ava"]
        name_id = session_info.get("name_id")
        subject = getattr(name_id, "text", None) or ""
        if not subject:
            logger.warning("SAML response without a NameID from %s", session_info.get("issuer"))
            return None
        if getattr(name_id, "format", None) not in (
            None,
            NAMEID_FORMAT_PERSISTENT,
            NAMEID_FORMAT_UNSPECIFIED,
        ):
            # A transient NameID changes at every sign-in: the mail address is the identity then.
            subject = (_values(ava, settings.HELPDESK_SAML_ATTR_EMAIL) or [""])[0]
        issuer = session_info.get("issuer", "")
        email = (_values(ava, settings.HELPDESK_SAML_ATTR_EMAIL) or [""])[0]
        full_name = " ".join(_values(ava, settings.HELPDESK_SAML_ATTR_FULL_NAME)[:1]) or " ".join(
            (_values(ava, "givenName") or [""])[:1] + (_values(ava, "sn") or [""])[:1]
        )
        try:
            user = provision(
                source=Source.SAML,
                external_id=f"{issuer}!{subject}" if issuer else subject,
                email=email,
                full_name=full_name.strip(),
                groups=_values(ava, settings.HELPDESK_SAML_ATTR_GROUPS),
            )
        except SignInRefused as refused:
            if request is not None:
                setattr(request, REFUSED_ATTR, str(refused))
            raise PermissionDenied(str(refused)) from refused
        return user if user.is_active else None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


def acs_failure(
    request: HttpRequest, exception: Exception | None = None, status: int = 403, **kwargs: Any
) -> HttpResponse:
    """What the person sees when the IdP's answer is refused (djangosaml2's SAML_ACS_FAILURE_RESPONSE_FUNCTION):
    the mapping's reason if there is one, else one sentence (the details are in the log)."""
    message = getattr(request, REFUSED_ATTR, "") or _(
        "The sign-in through your organisation's identity provider did not work. Please try again."
    )
    return render(request, "sso/saml_failed.html", {"message": message}, status=status)


class AcsView(AssertionConsumerServiceView):
    """djangosaml2's assertion consumer service, sending people where the sign-in form would."""

    def custom_redirect(self, user: User, relay_state: str, session_info: dict) -> str | None:
        from accounts.views import _safe_next, home_for

        target = _safe_next(self.request, relay_state)
        if not target or target in ("/", settings.LOGIN_REDIRECT_URL):
            target = home_for(user)
        return target

"""OpenID Connect sign-in through mozilla-django-oidc, for any provider named by its issuer URL.

Why mozilla-django-oidc and not django-allauth's ``openid_connect`` provider: we need one thing, the
authorization-code flow ending in ``sso.services.provision``; mozilla-django-oidc is exactly that (a
backend plus two views, state, nonce and PKCE kept in the session), while allauth brings its own
account model, sign-in pages, email-address table and middleware that would sit beside ours.

What is added here, on top of the library:
- discovery: the endpoints and keys come from ``<issuer>/.well-known/openid-configuration`` (the
  library wants them configured one by one), fetched when a sign-in starts and cached for an hour;
- the id token's ``iss`` and ``aud`` are checked (the library checks signature, expiry and nonce only);
- the person is provisioned by ``sso.services.provision`` with the groups of ``OIDC_GROUPS_CLAIM``;
- a refused sign-in, a foreign or replayed ``state`` and a wrong nonce end on our sign-in page with a
  message instead of a bare 400 page, never signed in.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .models import Source
from .services import SignInRefused, provision

LOGGER = logging.getLogger(__name__)
DISCOVERY_TTL = 3600
SIGN_IN_FAILED = _("Single sign-on failed. Please try again.")
PROVIDER_UNREACHABLE = _("The sign-in provider cannot be reached. Please try again later.")


def discovery() -> dict[str, Any]:
    """The provider's metadata (RFC 8414 / OIDC Discovery), cached; its ``issuer`` must be ours."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        raise ImproperlyConfigured("OIDC_ISSUER is not set")
    key = f"sso:oidc:discovery:{issuer}"
    doc = cache.get(key)
    if doc is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration",
            timeout=settings.OIDC_TIMEOUT,
            verify=settings.OIDC_VERIFY_SSL,
        )
        response.raise_for_status()
        doc = response.json()
        if str(doc.get("issuer", "")).rstrip("/") != issuer:
            raise ImproperlyConfigured(f"the provider's issuer {doc.get('issuer')!r} is not OIDC_ISSUER")
        cache.set(key, doc, DISCOVERY_TTL)
    return doc


def provider_name() -> str:
    """The name on the sign-in button: OIDC_PROVIDER_NAME, else the issuer's host."""
    if settings.OIDC_PROVIDER_NAME:
        return settings.OIDC_PROVIDER_NAME
    return settings.OIDC_ISSUER.split("://", 1)[-1].split("/", 1)[0]


class OIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every request of a signed-in person (get_user): no discovery here.
        self.UserModel = get_user_model()

    def _configure(self) -> None:
        doc = discovery()
        self.OIDC_OP_TOKEN_ENDPOINT = doc["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = doc.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = doc["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or not request.GET.get("code") or not request.GET.get("state"):
            return None  # a password sign-in: not ours
        if "nonce" not in kwargs:
            return None  # only the callback view (which took the nonce from the session) may ask
        self._configure()
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the id token (userinfo as a JWT is checked by signature only)
            audience = payload.get("aud")
            audiences = [audience] if isinstance(audience, str) else list(audience or [])
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("id token audience is not this client")
            if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
                raise SuspiciousOperation("id token authorised party is not this client")
            if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_ISSUER:
                raise SuspiciousOperation("id token issuer is not OIDC_ISSUER")
            if not payload.get("sub"):
                raise SuspiciousOperation("id token without sub")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = self.get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload["sub"]:  # OIDC Core 5.3.2: must match the id token's
                raise SuspiciousOperation("userinfo sub differs from the id token's")
            claims.update(info)
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if isinstance(groups, str):
            groups = [groups]
        verified = claims.get("email_verified")
        if isinstance(verified, str):
            verified = verified.lower() == "true"
        name = claims.get("name") or " ".join(
            p for p in (claims.get("given_name"), claims.get("family_name")) if p
        )
        try:
            return provision(
                source=Source.OIDC,
                external_id=payload["sub"],
                email=claims.get("email") or "",
                full_name=name or "",
                groups=groups,
                email_verified=bool(verified)
                if verified is not None
                else not settings.OIDC_REQUIRE_EMAIL_VERIFIED,
            )
        except SignInRefused as exc:
            messages.error(self.request, exc.message)
            return None


class AuthenticateView(OIDCAuthenticationRequestView):
    """Starts the sign-in: to the provider's authorization endpoint with state, nonce and PKCE."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.HELPDESK_SSO_OIDC_ENABLED:
            return HttpResponseRedirect(reverse("accounts:login"))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured):
            LOGGER.exception("OIDC discovery failed")
            messages.error(request, PROVIDER_UNREACHABLE)
            return HttpResponseRedirect(reverse("accounts:login"))
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. The library refuses a state that this browser's session did not start
    (login CSRF, a replay) and a nonce that is not the one sent; we show a message for it."""

    @property
    def success_url(self) -> str:
        from accounts.views import home_for

        return self.request.session.get("oidc_login_next") or home_for(self.user)

    def login_failure(self) -> HttpResponse:
        storage = messages.get_messages(self.request)
        if not any(m.level == messages.ERROR for m in storage):
            messages.error(self.request, SIGN_IN_FAILED)
        storage.used = False
        return super().login_failure()

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            LOGGER.warning("OIDC sign-in refused: %s", exc)
            return self.login_failure()
        except requests.RequestException:
            LOGGER.exception("OIDC token exchange failed")
            messages.error(request, PROVIDER_UNREACHABLE)
            return super().login_failure()

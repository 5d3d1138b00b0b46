"""SAML's routes under /saml2/ (djangosaml2's views; ours for the assertion consumer service), and the
sign-in page's "Sign in with SAML" button. Both answer only while SAML is configured
(``HELPDESK_SSO_SAML_ENABLED``); otherwise the routes are 404 and there is no button."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

import requests
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from .buttons import LOGIN_BUTTONS

logger = logging.getLogger(__name__)


def _only_when_configured(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not getattr(settings, "HELPDESK_SSO_SAML_ENABLED", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _lazy(name: str) -> Callable[..., HttpResponse]:
    """The view, imported at the first request (djangosaml2 needs SAML_CONFIG only then)."""

    @_only_when_configured
    def view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        from djangosaml2 import views as saml_views

        from . import saml

        views = {
            "login": saml_views.LoginView.as_view(),
            "acs": saml.AcsView.as_view(),
            "metadata": saml_views.MetadataView.as_view(),
        }
        try:
            return views[name](request, *args, **kwargs)
        except (requests.RequestException, OSError) as error:  # the IdP's metadata could not be read
            logger.warning("SAML: the identity provider's metadata could not be read: %s", error)
            return saml.acs_failure(request, error, status=502)

    # The assertion consumer service takes the IdP's cross-site POST: its signature and the outstanding
    # request in djangosaml2's own cookie stand in for the CSRF token.
    view.csrf_exempt = name == "acs"  # type: ignore[attr-defined]
    return view


urlpatterns = [
    path("login/", _lazy("login"), name="saml2_login"),
    path("acs/", _lazy("acs"), name="saml2_acs"),
    path("metadata/", _lazy("metadata"), name="saml2_metadata"),
]


def saml_button() -> tuple[str, str] | None:
    if not getattr(settings, "HELPDESK_SSO_SAML_ENABLED", False):
        return None
    name = getattr(settings, "HELPDESK_SAML_PROVIDER_NAME", "")
    label = gettext("Sign in with %(name)s") % {"name": name} if name else gettext("Sign in with SAML")
    return label, reverse("saml2_login")


if saml_button not in LOGIN_BUTTONS:
    LOGIN_BUTTONS.append(saml_button)

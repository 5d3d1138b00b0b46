"""Nothing but the code entry (and signing out) until a signed-in person gave their second factor;
staff sent to the setup while HELPDESK_REQUIRE_2FA_FOR_STAFF is on and they have none."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import session

# Reachable whatever the state: signing out, the language, static files and health checks.
ALWAYS = ("/static/", "/i18n/", "/healthz", "/favicon.ico")
TOKEN_KEYWORDS = ("bearer ", "token ")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._always(request):
            return self.get_response(request)
        if request.path.startswith("/api/") and request.headers.get("Authorization", "").lower().startswith(
            TOKEN_KEYWORDS
        ):
            return self.get_response(request)  # a token, not this session, signs the request in
        current = session.state(request)
        if current == session.PENDING and request.path != reverse("twofactor:verify"):
            return self._refuse(request, "twofactor:verify", _("Enter your two-factor code first."))
        if (
            current == session.NONE
            and session.must_set_up(request)
            and request.path not in (reverse("twofactor:overview"), reverse("twofactor:setup"))
        ):
            return self._refuse(
                request, "twofactor:setup", _("Set up two-factor authentication in your account first.")
            )
        return self.get_response(request)

    @staticmethod
    def _always(request: HttpRequest) -> bool:
        return request.path.startswith(ALWAYS) or request.path in (
            reverse("accounts:logout"),
            reverse("accounts:language"),
        )

    @staticmethod
    def _refuse(request: HttpRequest, url_name: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        url = reverse(url_name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)

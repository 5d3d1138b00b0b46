"""Sign-in, sign-out, customer sign-up and the language switch. Thin: forms validate, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .forms import LanguageForm, SignUpForm, ThrottledLoginForm
from .services import customer_sign_up, user_language_set


def home_for(user: object) -> str:
    """Where a signed-in person starts: agents in their queue, customers in their requests."""
    return (
        reverse("tickets:agent_queue") if getattr(user, "is_agent", False) else reverse("tickets:portal_list")
    )


def _safe_next(request: HttpRequest, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return home_for(self.request.user)

    def get_context_data(self, **kwargs: object) -> dict:
        from sso.buttons import login_buttons

        context = super().get_context_data(**kwargs)
        context["sso_buttons"] = login_buttons()  # "Sign in with …" of each configured source
        return context


class SignOutView(LogoutView):
    """POST only (Django's LogoutView refuses GET)."""


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(home_for(request.user))
    form = SignUpForm(request.POST or None, initial={"language": getattr(request, "LANGUAGE_CODE", "en")})
    if request.method == "POST" and form.is_valid():
        user = customer_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data.get("first_name", ""),
            last_name=form.cleaned_data.get("last_name", ""),
            language=form.cleaned_data["language"],
        )
        login(request, user, backend="sso.backends.LocalPasswordBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect(_safe_next(request, request.GET.get("next")) or home_for(user))
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Saves a signed-in user's choice in the profile, then lets Django set the cookie and redirect.

    Django's ``set_language`` keeps ``next`` on our host; the profile matters because the
    profile language wins over the cookie for signed-in users.
    """
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown language."))
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=form.cleaned_data["language"])
    return set_language(request)

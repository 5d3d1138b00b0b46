"""The second factor in the browser: overview, setup with a QR code, the code at sign-in, recovery
codes, turning it off, and the supervisors' reset. Thin: the services decide."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.views import _safe_next, home_for
from helpdesk.errors import ApplicationError
from tickets.templatetags.helpdesk_ui import display_name

from . import selectors, services, session
from .forms import CodeForm, VerifyForm


def _apply_error(form: CodeForm, exc: ApplicationError) -> None:
    form.add_error("code" if exc.field else None, exc.message)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "twofactor/overview.html",
        {
            "enabled": selectors.has_two_factor(user=request.user),
            "codes_left": selectors.recovery_codes_left(user=request.user),
            "required": session.must_set_up(request)
            or (settings.HELPDESK_REQUIRE_2FA_FOR_STAFF and request.user.is_agent),
            "form": CodeForm(),
        },
    )


def _qr_svg(url: str) -> str:
    """The otpauth:// URL as an inline SVG, drawn here (no outside service ever sees the secret)."""
    return segno.make(url, error="m").svg_inline(scale=5, border=4, dark="#111", light="#fff")


def _grouped(key_b32: str) -> str:
    return " ".join(key_b32[i : i + 4] for i in range(0, len(key_b32), 4))


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    if selectors.has_two_factor(user=request.user):
        return redirect("twofactor:overview")
    device = services.totp_setup_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_setup_confirm(user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)  # this browser stays signed in
            session.mark(request, session.OK)
            messages.success(request, _("Two-factor authentication is on."))
            return render(
                request,
                "twofactor/recovery_codes.html",
                {"codes": codes, "next": _safe_next(request, request.GET.get("next"))},
            )
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "twofactor/setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "manual_key": _grouped(key),
            "required": session.must_set_up(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if session.state(request) != session.PENDING:
        return redirect(next_url or home_for(request.user))
    form = VerifyForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_check(user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            _apply_error(form, exc)
            status = exc.status_code
        else:
            request.session.cycle_key()
            session.mark(request, session.OK)
            response = redirect(next_url or home_for(request.user))
            if device.__class__.__name__ == "StaticDevice":
                left = selectors.recovery_codes_left(user=request.user)
                messages.warning(
                    request,
                    _("You signed in with a recovery code. Recovery codes left: %(count)s.")
                    % {"count": left},
                )
            totp = selectors.totp_device(user=request.user)
            if form.cleaned_data["remember"] and settings.HELPDESK_2FA_REMEMBER_DAYS and totp is not None:
                response.set_cookie(
                    session.REMEMBER_COOKIE,
                    services.remember_cookie_value(device=totp, user=request.user),
                    max_age=settings.HELPDESK_2FA_REMEMBER_DAYS * 86400,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response
    return render(
        request,
        "twofactor/verify.html",
        {"form": form, "next": next_url or "", "remember_days": settings.HELPDESK_2FA_REMEMBER_DAYS},
        status=400 if form.errors and status == 200 else status,
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = services.recovery_codes_regenerate(user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return render(request, "twofactor/recovery_codes.html", {"codes": codes, "next": None})
    else:
        messages.error(request, _("Enter a code from your authenticator app."))
    return redirect("twofactor:overview")


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if settings.HELPDESK_REQUIRE_2FA_FOR_STAFF and request.user.is_agent:
        messages.error(request, _("Staff must keep two-factor authentication on."))
    elif form.is_valid():
        try:
            services.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            update_session_auth_hash(request, request.user)  # this browser stays, the others end
            session.mark(request, session.NONE)
            messages.success(request, _("Two-factor authentication is off."))
    else:
        messages.error(request, _("Enter a code from your authenticator app."))
    return redirect("twofactor:overview")


def _supervisor(request: HttpRequest) -> None:
    if not request.user.is_supervisor:
        raise PermissionDenied


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    return render(request, "twofactor/staff_list.html", {"people": selectors.staff_with_two_factor()})


@login_required
@require_POST
def staff_reset(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    person = get_object_or_404(User, pk=pk, is_active=True)
    services.two_factor_reset(user=person, by=request.user)
    messages.success(
        request,
        _(
            "Two-factor authentication of %(name)s was reset: they were signed out everywhere and their "
            "API tokens were revoked. They can set it up again at their next sign-in."
        )
        % {"name": display_name(person)},
    )
    return redirect("twofactor:staff_list")

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from . import throttle
from .models import User

LOGIN_THROTTLED = _("Too many failed attempts. Please wait a few minutes and try again.")


class ThrottledLoginForm(AuthenticationForm):
    """Django's sign-in form, refusing to even try once a username or address has failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # Generic on purpose: it must not reveal whether the account exists or is inactive.
        "invalid_login": _("Please enter a correct username and password."),
        "inactive": _("Please enter a correct username and password."),
        "throttled": LOGIN_THROTTLED,
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if throttle.login_blocked(self.request, username):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            from sso.backends import REFUSED_FLAG
            from sso.services import STAFF_PASSWORDS_OFF

            if getattr(self.request, REFUSED_FLAG, False):  # the right password, but staff use SSO
                raise forms.ValidationError(STAFF_PASSWORDS_OFF, code="sso_required") from None
            throttle.login_failed(self.request, username)
            raise
        throttle.login_succeeded(self.request, username)
        return cleaned


class SignUpForm(BaseUserCreationForm):
    email = forms.EmailField(label=_("Email address"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "language")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)

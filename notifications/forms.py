from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import RATING_CHOICES


class PreferencesForm(forms.Form):
    email_updates = forms.BooleanField(
        required=False,
        label=_("Email me about every step of my requests"),
        help_text=_(
            "Without this, you still get the confirmation of a new request, replies from our agents, "
            "requests to reply, and the message that your request was solved."
        ),
    )


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect, label=_("Rating")
    )
    comment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Comment (optional)"),
    )

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


class AgentPreferencesForm(forms.Form):
    """One "in-app" and one "mail" checkbox per topic (``<topic>-in_app``, ``<topic>-mail``)."""

    def __init__(self, *args: object, rows: list[dict], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.rows = rows
        for row in rows:
            for channel, label in (("in_app", _("In-app")), ("mail", _("Mail"))):
                self.fields[f"{row['topic']}-{channel}"] = forms.BooleanField(
                    required=False, initial=row[channel], label=f"{row['label']}: {label}"
                )

    def table(self) -> list[dict]:
        return [
            {
                **row,
                "in_app_field": self[f"{row['topic']}-in_app"],
                "mail_field": self[f"{row['topic']}-mail"],
            }
            for row in self.rows
        ]

    def changes(self) -> dict[str, dict[str, bool]]:
        return {
            row["topic"]: {
                "in_app": self.cleaned_data[f"{row['topic']}-in_app"],
                "mail": self.cleaned_data[f"{row['topic']}-mail"],
            }
            for row in self.rows
        }

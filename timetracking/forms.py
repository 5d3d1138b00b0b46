from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_MINUTES
from .services import (
    DATE_IN_FUTURE,
    DURATION_NOT_UNDERSTOOD,
    DURATION_TOO_LONG,
    DURATION_TOO_SHORT,
    local_today,
    parse_duration,
)


class TimeEntryForm(forms.Form):
    """Manual entry on the ticket page. The duration is typed as a person says it ("1:30", "45 min")."""

    duration = forms.CharField(
        label=_("Duration"),
        max_length=20,
        help_text=_("Minutes, or e.g. 1:30, 1h 30m, 1.5h"),
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off", "placeholder": "0:30"}),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    billable = forms.BooleanField(label=_("Billable"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("date", local_today())
        kwargs.setdefault("auto_id", "time_%s")  # the ticket page has other forms with a "note" or "date"
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = local_today().isoformat()

    def clean_duration(self) -> int:
        try:
            minutes = parse_duration(self.cleaned_data["duration"])
        except ValueError:
            raise forms.ValidationError(DURATION_NOT_UNDERSTOOD) from None
        if minutes < 1:
            raise forms.ValidationError(DURATION_TOO_SHORT)
        if minutes > MAX_MINUTES:
            raise forms.ValidationError(DURATION_TOO_LONG)
        return minutes

    def clean_date(self) -> Any:
        value = self.cleaned_data["date"]
        if value > local_today():
            raise forms.ValidationError(DATE_IN_FUTURE)
        return value


class TimerStopForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    billable = forms.BooleanField(label=_("Billable"), required=False)

"""Browser forms for supervisors: policies and calendars."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import businesstime
from .models import Calendar, SlaPolicy

WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
_SPAN_RE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "calendar",
            "p1_first_response",
            "p1_resolution",
            "p2_first_response",
            "p2_resolution",
            "p3_first_response",
            "p3_resolution",
            "p4_first_response",
            "p4_resolution",
            "warning_percent",
            "tier1_share",
            "tier2_share",
            "tier3_share",
            "auto_escalate_on_breach",
            "is_default",
            "category",
            "customer",
        ]
        # The model field has no verbose name (adding one would be a migration).
        labels = {"calendar": _("Calendar")}

    def _get_validation_exclusions(self) -> set[str]:
        # The service keeps a single default (it unsets the previous one), so that constraint is not the form's.
        return {*super()._get_validation_exclusions(), "is_default"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Words instead of "---------", and names as the rest of the UI shows them.
        self.fields["calendar"].empty_label = None if self.instance.pk else _("choose a calendar")
        self.fields["category"].empty_label = _("any category")
        self.fields["category"].label_from_instance = lambda c: c.localized_name
        self.fields["customer"].empty_label = _("any customer")
        self.fields["customer"].label_from_instance = lambda u: u.get_full_name() or u.username


def _hours_text(spans: list[list[str]]) -> str:
    return ", ".join(f"{a}–{b}" for a, b in spans)


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    timezone = forms.CharField(label=_("time zone"), max_length=64, initial="Europe/Berlin")
    holiday_state = forms.ChoiceField(
        label=_("German federal state (public holidays)"),
        choices=[("", _("nationwide only"))] + list(Calendar._meta.get_field("holiday_state").choices),
        required=False,
    )
    always_open = forms.BooleanField(label=_("24/7"), required=False)
    custom_holidays = forms.CharField(
        label=_("Custom holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: 2026-12-24 Christmas Eve"),
    )

    def __init__(self, *args: Any, calendar: Calendar | None = None, **kwargs: Any) -> None:
        self.calendar = calendar
        if calendar is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": calendar.name,
                "timezone": calendar.timezone,
                "holiday_state": calendar.holiday_state,
                "always_open": calendar.always_open,
                "custom_holidays": "\n".join(
                    f"{h.date:%Y-%m-%d} {h.name}" for h in calendar.custom_holidays.all()
                ),
                **{f"hours_{d}": _hours_text(calendar.working_hours.get(str(d), [])) for d in range(7)},
            }
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"hours_{day}"] = forms.CharField(
                label=label, required=False, help_text=_("e.g. 08:00–12:00, 13:00–17:00; empty = closed")
            )
        if calendar is None:
            for day in range(5):
                self.initial.setdefault(f"hours_{day}", "08:00–17:00")

    def hour_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{d}"] for d in range(7)]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        qs = Calendar.objects.filter(name=name)
        if self.calendar is not None:
            qs = qs.exclude(pk=self.calendar.pk)
        if qs.exists():
            raise forms.ValidationError(_("A calendar with this name exists."))
        return name

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Unknown time zone."))
        return value

    def clean_custom_holidays(self) -> list[dict]:
        out: list[dict] = []
        for line in self.cleaned_data["custom_holidays"].splitlines():
            if not line.strip():
                continue
            day, _sep, name = line.strip().partition(" ")
            try:
                parsed = date.fromisoformat(day)
            except ValueError as exc:
                raise forms.ValidationError(_("Write each day as YYYY-MM-DD Name.")) from exc
            out.append({"date": parsed, "name": name.strip()[:100] or day})
        if len({h["date"] for h in out}) != len(out):
            raise forms.ValidationError(_("Each day at most once."))
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        hours: dict[str, list[list[str]]] = {}
        for day in range(7):
            text = (data.get(f"hours_{day}") or "").strip()
            if not text:
                continue
            spans = []
            for part in text.split(","):
                match = _SPAN_RE.match(part)
                if not match:
                    self.add_error(f"hours_{day}", _("Write periods like 08:00–17:00."))
                    break
                spans.append([match.group(1), match.group(2)])
            hours[str(day)] = spans
        try:
            businesstime.parse_working_hours(hours)
        except ValueError as exc:
            self.add_error(None, str(exc))
        data["working_hours"] = hours
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "timezone": data["timezone"],
            "holiday_state": data["holiday_state"],
            "always_open": data["always_open"],
            "working_hours": data["working_hours"],
            "custom_holidays": data["custom_holidays"],
        }

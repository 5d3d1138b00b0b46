"""Parsing the metric filters from a query string — one form for the page, the list, CSV and the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from organisations.models import Organisation
from tickets.models import Category, Ticket

from .metrics import AGE_BUCKETS, METRICS, MetricFilters, default_period

PRESETS = (7, 30, 90, 365)
MAX_PERIOD_DAYS = 3 * 366
FROM_AFTER_TO = _("The start date must not be after the end date.")
PERIOD_TOO_LONG = _("The period may be at most %(days)s days.")


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.localized_name


class MetricFilterForm(forms.Form):
    # ``from`` is a Python keyword: the fields are renamed in ``__init__`` via ``add_prefix``.
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Period"),
        choices=[("", _("Custom"))] + [(str(d), _("Last %(days)s days") % {"days": d}) for d in PRESETS],
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, label=_("Team"), empty_label=_("All teams")
    )
    tier = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Tier"),
        choices=[("", _("All tiers")), ("1", "1"), ("2", "2"), ("3", "3")],
    )
    category = CategoryChoiceField(
        queryset=Category.objects.all(), required=False, label=_("Category"), empty_label=_("All categories")
    )
    channel = forms.ChoiceField(
        required=False, label=_("Channel"), choices=[("", _("All channels")), *Ticket.Channel.choices]
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        label=_("Organisation"),
        empty_label=_("All organisations"),
    )

    FIELD_NAMES = {"date_from": "from", "date_to": "to"}

    def add_prefix(self, field_name: str) -> str:
        return self.FIELD_NAMES.get(field_name, field_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        days = data.get("days")
        start, end = data.get("date_from"), data.get("date_to")
        if days and not (start or end):
            start, end = default_period(days=days)
        elif not (start or end):
            start, end = default_period(days=30)
        elif start and not end:
            end = max(start, default_period(days=1)[1])
        elif end and not start:
            start = end - timedelta(days=29)
        if start > end:
            raise forms.ValidationError({"date_from": [FROM_AFTER_TO]})
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise forms.ValidationError({"date_from": [PERIOD_TOO_LONG % {"days": MAX_PERIOD_DAYS}]})
        data["date_from"], data["date_to"] = start, end
        return data

    def errors_as_dict(self) -> dict[str, list[str]]:
        """Errors keyed by query parameter (``from`` / ``to``, not the Python field names)."""
        return {self.add_prefix(k): [str(m) for m in v] for k, v in self.errors.items()}

    def filters(self) -> MetricFilters:
        data = self.cleaned_data
        return MetricFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            team=data["team"].pk if data.get("team") else None,
            tier=data.get("tier"),
            category=data["category"].pk if data.get("category") else None,
            channel=data.get("channel") or None,
            organisation=data["organisation"].pk if data.get("organisation") else None,
        )


class TicketListForm(MetricFilterForm):
    """The tickets behind one number."""

    metric = forms.ChoiceField(choices=[(k, k) for k in METRICS])
    part = forms.ChoiceField(
        required=False, choices=[("numerator", "numerator"), ("denominator", "denominator")]
    )
    backlog_tier = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", ""), ("1", "1"), ("2", "2"), ("3", "3")]
    )
    backlog_team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    backlog_age = forms.ChoiceField(required=False, choices=[("", "")] + [(b, b) for b in AGE_BUCKETS])
    page = forms.IntegerField(required=False, min_value=1)

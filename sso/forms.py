from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team

from .models import Source, SsoSettings, StaffRole


class TeamChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return str(obj)  # "Network · Tier 2"


class GroupMappingForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    group = forms.CharField(
        label=_("Group"),
        max_length=255,
        help_text=_("The group's name as the directory sends it; case does not matter."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices, initial=StaffRole.AGENT)
    teams = TeamChoiceField(
        label=_("Teams"),
        queryset=Team.objects.order_by("tier", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The agent's tier is the tier of these teams."),
    )


class SsoSettingsForm(forms.Form):
    staff_passwords_off = forms.BooleanField(
        label=_("Local passwords off for staff"),
        required=False,
        help_text=SsoSettings._meta.get_field("staff_passwords_off").help_text,
    )
    unmapped = forms.ChoiceField(
        label=_("People in no mapped group"),
        choices=SsoSettings.Unmapped.choices,
        widget=forms.RadioSelect,
    )

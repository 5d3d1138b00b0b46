from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

from .models import RetentionRule


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, username or email address"), max_length=200, required=False)


class EraseForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    confirm = forms.BooleanField(
        label=_("I understand: this person's data is erased for good and cannot be restored."), required=True
    )


class RetentionRuleForm(forms.ModelForm):
    class Meta:
        model = RetentionRule
        fields = ["months", "active"]


class OrganisationRetentionForm(forms.ModelForm):
    """An organisation's own rule; saving it for an organisation that has one changes that one."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        empty_label=_("Choose an organisation"),
    )

    class Meta:
        model = RetentionRule
        fields = ["organisation", "months", "active"]

    def validate_unique(self) -> None:  # one rule per organisation: the view updates the existing one
        pass

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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

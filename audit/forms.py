from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.templatetags.helpdesk_ui import display_name

from . import registry
from .models import AuditEntry


class _StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return display_name(obj)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    model = forms.ChoiceField(label=_("What"), required=False)
    actor = _StaffChoice(
        label=_("Who"),
        required=False,
        queryset=User.objects.filter(Q(role__in=["agent", "supervisor"]) | Q(is_superuser=True)).order_by(
            "first_name", "last_name", "username"
        ),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All")), *AuditEntry.Action.choices]
        self.fields["model"].choices = [
            ("", _("All")),
            *registry.registered_models(),
            ("privacy", _("Privacy")),
        ]
        self.fields["actor"].empty_label = _("Anyone")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end lies before the start."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "action": data.get("action") or "",
            "model": data.get("model") or "",
            "actor": data["actor"].pk if data.get("actor") else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

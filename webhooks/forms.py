from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.errors import ApplicationError

from .models import EVENTS, Webhook
from .services import webhook_validate


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=[(e, e) for e in EVENTS], widget=forms.CheckboxSelectMultiple)
    secret = forms.CharField(
        required=False, min_length=16, max_length=200, help_text=_("Leave empty to generate one.")
    )

    class Meta:
        model = Webhook
        fields = ["url", "events", "secret", "active"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("url") and data.get("events"):
            try:
                webhook_validate(url=data["url"], events=data["events"])
            except ApplicationError as exc:
                self.add_error(exc.field, exc.message)
        if not data.get("secret"):
            data.pop("secret", None)
        return data

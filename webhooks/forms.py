from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from helpdesk.errors import ApplicationError

from .models import EVENTS, Webhook
from .services import webhook_validate

# What each event means, for the form; the code is what the receiver gets in the payload.
EVENT_LABELS = {
    "ticket.created": _("A ticket was created"),
    "ticket.updated": _("A ticket changed (status, priority, assignee, …)"),
    "ticket.escalated": _("A ticket was escalated"),
    "ticket.resolved": _("A ticket was resolved"),
}


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(e, format_lazy("{} ({})", EVENT_LABELS.get(e, e), e)) for e in EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        min_length=16,
        max_length=200,
        help_text=_("Leave empty to generate one."),
    )

    class Meta:
        model = Webhook
        fields = ["url", "events", "secret", "active"]
        labels = {"url": _("URL"), "active": _("Active")}  # the model fields have no verbose names

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

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from sla.models import Calendar
from tickets.forms import CategoryField, customer_by_login
from tickets.models import Priority

from .models import RecurringTicket
from .services import cron_validate


class RecurringTicketForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    cron = forms.CharField(
        label=_("Schedule (cron)"),
        max_length=100,
        help_text=RecurringTicket._meta.get_field("cron").help_text,
        widget=forms.TextInput(
            attrs={"placeholder": "0 8 * * 1-5", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    calendar = forms.ModelChoiceField(
        label=_("Only on business days of"),
        queryset=Calendar.objects.order_by("name"),
        required=False,
        empty_label=_("Every day"),
        help_text=RecurringTicket._meta.get_field("calendar").help_text,
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)
    subject = forms.CharField(
        label=_("Subject"), max_length=200, help_text=RecurringTicket._meta.get_field("subject").help_text
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=50_000
    )
    requester = forms.CharField(
        label=_("Requester"), max_length=254, help_text=_("The customer's username or email address.")
    )
    category = CategoryField(label=_("Category"))
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(tier=1).order_by("name"),
        required=False,
        empty_label=_("From the category"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("From impact × urgency")), *Priority.choices]
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas.")
    )

    def __init__(self, *args: Any, instance: RecurringTicket | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "cron": instance.cron,
                "calendar": instance.calendar_id,
                "active": instance.active,
                "subject": instance.subject,
                "description": instance.description,
                "requester": instance.requester.username,
                "category": instance.category_id or "",
                "team": instance.team_id,
                "priority": instance.priority,
                "tags": ", ".join(instance.tags or []),
            }
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("no category")), *self.fields["category"].choices[1:]]

    def clean_cron(self) -> str:
        try:
            return cron_validate(self.cleaned_data["cron"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["cron"]) from None

    def clean_requester(self) -> Any:
        return customer_by_login(self.cleaned_data["requester"])

    def clean_tags(self) -> list[str]:
        return [t for t in (p.strip() for p in self.cleaned_data["tags"].split(",")) if t]

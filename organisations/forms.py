from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from sla.models import SlaPolicy

from .models import Organisation


def split_domains(value: str) -> list[str]:
    return [d for d in re.split(r"[\s,;]+", value or "") if d]


class OrganisationForm(forms.ModelForm):
    domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        help_text=_(
            "New customers with an address at these domains join the organisation (comma separated)."
        ),
        widget=forms.TextInput(attrs={"placeholder": "example.com, example.de"}),
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "members_see_all_tickets", "notes", "sla_policy", "contract", "contract_starts",
            "contract_ends",
        ]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "contract_starts": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contract_ends": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sla_policy"].queryset = SlaPolicy.objects.order_by("name")
        self.fields["sla_policy"].empty_label = _("No policy of its own")
        self.fields["notes"].help_text = _("Shown to agents on the ticket page, never to customers.")
        self.fields["members_see_all_tickets"].help_text = _(
            "Off: each member sees their own requests, unless they have the right to see all."
        )
        if self.instance.pk and not self.is_bound:
            self.initial["domains"] = ", ".join(self.instance.domains.values_list("domain", flat=True))

    def clean_domains(self) -> list[str]:
        return split_domains(self.cleaned_data.get("domains", ""))


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    sees_all_tickets = forms.BooleanField(label=_("Sees all of the organisation's tickets"), required=False)
    is_manager = forms.BooleanField(label=_("Organisation manager"), required=False)


class MemberRightsForm(forms.Form):
    sees_all_tickets = forms.BooleanField(required=False)
    is_manager = forms.BooleanField(required=False)

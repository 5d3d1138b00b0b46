"""The saved view's own fields (name, columns, sharing); its filters are the queue's filter form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from tickets.workspace import DEFAULT_COLUMNS, QUEUE_COLUMNS

from .models import NAME_MAX


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=lambda: [(key, label) for key, label in QUEUE_COLUMNS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_COLUMNS,
    )
    shared_with_teams = forms.ModelMultipleChoiceField(
        label=_("Share with teams"),
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their members see the view in their sidebar; only you can change it."),
    )

    def __init__(self, *args: Any, can_share: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared_with_teams"]

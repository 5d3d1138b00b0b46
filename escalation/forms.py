"""Forms of the agent pages. They parse; the services decide (their field errors land on these forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from helpdesk.errors import ApplicationError

from .models import Escalation

MAX = settings.HELPDESK_MAX_BODY_CHARS


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def apply_service_error(form: forms.Form, exc: Exception) -> None:
    """Put a service's error on the form: on its field when it names one the form has, else on top."""
    field_errors = getattr(exc, "errors", None)
    if isinstance(field_errors, dict):
        for field, errors in field_errors.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ApplicationError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        form.add_error(None, str(exc))


class EscalateForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Escalation.Reason.choices)
    to_tier = forms.TypedChoiceField(label=_("To tier"), coerce=int, choices=())
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("The category's team for that tier"),
    )
    # Required by the service, with its own message (more than a token); not by the browser.
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=MAX,
        widget=_textarea(),
        help_text=_("What is the problem?"),
    )
    steps_taken = forms.CharField(
        label=_("Steps already taken"),
        required=False,
        max_length=MAX,
        widget=_textarea(),
        help_text=_("What did you check or try, with what result?"),
    )
    diagnostics = forms.CharField(
        label=_("Diagnostics / environment"), required=False, max_length=MAX, widget=_textarea(3)
    )
    customer_impact = forms.CharField(
        label=_("Customer impact"), required=False, max_length=MAX, widget=_textarea(2)
    )
    articles_tried = forms.CharField(
        label=_("Articles already tried"),
        required=False,
        max_length=500,
        help_text=_("Article ids, separated by commas."),
    )
    # The tier the agent saw: two agents escalating at once never skip a tier.
    from_tier = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ticket: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tiers = [t for t in (2, 3) if t > ticket.tier]
        self.fields["to_tier"].choices = [(t, _("Tier %(tier)s") % {"tier": t}) for t in tiers]
        self.fields["team"].queryset = Team.objects.filter(tier__in=tiers).order_by("tier", "name")
        self.initial.setdefault("from_tier", ticket.tier)
        if tiers:
            self.initial.setdefault("to_tier", tiers[0])

    def clean_articles_tried(self) -> list[int]:
        raw = self.cleaned_data.get("articles_tried") or ""
        parts = [p.strip().lstrip("#") for p in raw.replace(";", ",").split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise ValidationError(_("Give article ids, separated by commas."))
        return [int(p) for p in parts]


class DeescalateForm(forms.Form):
    to_tier = forms.TypedChoiceField(label=_("To tier"), coerce=int, choices=())
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=MAX,
        widget=_textarea(5),
        help_text=_("What should the lower tier do next? E.g. guide the customer through steps 1–3."),
    )

    def __init__(self, *args: Any, ticket: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tiers = list(range(ticket.tier - 1, 0, -1))
        self.fields["to_tier"].choices = [(t, _("Tier %(tier)s") % {"tier": t}) for t in tiers]


class ConsultForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team to ask"), queryset=Team.objects.none())
    question = forms.CharField(label=_("Question"), max_length=MAX, widget=_textarea(4))

    def __init__(self, *args: Any, ticket: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(tier__gt=ticket.tier).order_by("tier", "name")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=MAX, widget=_textarea(5))


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you send it back?"),
        max_length=5000,
        widget=_textarea(3),
        help_text=_("E.g. missing diagnostics: please add the event log."),
    )


class TeamRoutingForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), widget=forms.HiddenInput)
    routing = forms.ChoiceField(label=_("Routing"), choices=Team.Routing.choices)
    max_open_per_agent = forms.IntegerField(
        label=_("Max. open tickets per agent"), min_value=1, max_value=10_000
    )

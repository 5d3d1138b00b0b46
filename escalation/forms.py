"""Forms of the agent pages. They parse; the services decide (their field errors land on these forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from helpdesk.errors import ApplicationError

from . import kb
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
    # Picked by title: the ticket's suggestions and a knowledge-base search (the choices are those
    # offered plus whatever was picked, as far as the agent may see them).
    articles_tried = forms.TypedMultipleChoiceField(
        label=_("Articles already tried"),
        required=False,
        coerce=int,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the articles you went through with the customer; search for others by title."),
    )
    # The tier the agent saw: two agents escalating at once never skip a tier.
    from_tier = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ticket: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._article_choices(ticket, user)
        tiers = [t for t in (2, 3) if t > ticket.tier]
        self.fields["to_tier"].choices = [(t, _("Tier %(tier)s") % {"tier": t}) for t in tiers]
        self.fields["team"].queryset = Team.objects.filter(tier__in=tiers).order_by("tier", "name")
        self.initial.setdefault("from_tier", ticket.tier)
        if tiers:
            self.initial.setdefault("to_tier", tiers[0])

    def _article_choices(self, ticket: Any, user: Any) -> None:
        """Picked articles first (by title), then the ticket's suggestions not picked."""
        raw = self.data.getlist("articles_tried") if self.is_bound else self.initial.get("articles_tried", [])
        picked = [int(v) for v in raw if str(v).isdigit()]
        by_id = kb.articles_by_id(user=user, ids=picked)
        refs = [by_id[pk] for pk in dict.fromkeys(picked) if pk in by_id]
        refs += [r for r in kb.article_suggestions(user=user, ticket=ticket) if r.pk not in by_id]
        self.fields["articles_tried"].choices = [(r.pk, r.title) for r in refs]
        self.article_refs = refs
        self.article_picked = set(by_id)


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
    team = forms.ModelChoiceField(
        label=_("Team to ask"), queryset=Team.objects.none(), empty_label=_("Choose a team")
    )
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

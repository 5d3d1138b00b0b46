"""The browser's forms for macros and rules: plain fields in, the JSON lists of ``actions`` /
``conditions`` out (validated by the same services as the API's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, Tier, User
from tickets.models import Category, Priority, Ticket

from .actions import MAIL_TO, STATUS_CHOICES
from .models import Rule

BLANK = [("", _("— unchanged —"))]


def _tags(text: str) -> list[str]:
    return sorted({t.strip().lower() for t in (text or "").split(",") if t.strip()})


class _CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.localized_name


class _CategoriesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.localized_name


class ActionFields(forms.Form):
    """The actions of a macro (and, with ``for_rule``, of a rule), one group of fields per action."""

    set_status = forms.ChoiceField(label=_("Set status"), required=False)
    set_priority = forms.ChoiceField(label=_("Set priority"), required=False)
    set_assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    set_team = forms.ModelChoiceField(label=_("Move to team"), queryset=Team.objects.all(), required=False)
    set_category = _CategoryChoice(label=_("Set category"), queryset=Category.objects.all(), required=False)
    add_tags = forms.CharField(label=_("Add tags"), required=False, help_text=_("Comma separated."))
    remove_tags = forms.CharField(label=_("Remove tags"), required=False, help_text=_("Comma separated."))
    reply_canned = forms.ModelChoiceField(label=_("Canned response"), queryset=None, required=False)
    reply_body = forms.CharField(
        label=_("Public reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Placeholders: {customer_name} {reference} {subject} {agent_name} {team_name}"),
    )
    note_body = forms.CharField(
        label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    escalate = forms.BooleanField(label=_("Escalate to the next tier"), required=False)
    escalate_reason = forms.ChoiceField(label=_("Escalation reason"), required=False)
    escalate_summary = forms.CharField(
        label=_("Handoff summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    escalate_steps = forms.CharField(
        label=_("Steps already taken"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    RULE_FIELDS = ("mail_to", "mail_address", "mail_subject", "mail_body", "webhook")

    def __init__(self, *args: Any, for_rule: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from escalation.models import Escalation
        from knowledgebase.models import CannedResponse
        from webhooks.models import Webhook

        self.for_rule = for_rule
        f = self.fields
        f["set_status"].choices = BLANK + [(s, Ticket.Status(s).label) for s in STATUS_CHOICES]
        f["set_priority"].choices = BLANK + list(Priority.choices)
        agents = User.objects.filter(is_active=True, role__in=(User.Role.AGENT, User.Role.SUPERVISOR))
        people = [
            (str(u.pk), u.get_full_name() or u.username) for u in agents.order_by("first_name", "username")
        ]
        me = [] if for_rule else [("me", _("whoever applies it"))]
        f["set_assignee"].choices = BLANK + me + [("none", _("nobody (unassign)"))] + people
        f["set_team"].empty_label = BLANK[0][1]
        f["set_category"].empty_label = BLANK[0][1]
        f["reply_canned"].queryset = CannedResponse.objects.filter(active=True)
        f["reply_canned"].empty_label = _("— none —")
        f["escalate_reason"].choices = BLANK[:0] + list(Escalation.Reason.choices)
        if for_rule:
            f["mail_to"] = forms.ChoiceField(
                label=_("Send mail to"), required=False, choices=[("", _("— nobody —")), *MAIL_TO.items()]
            )
            f["mail_address"] = forms.EmailField(label=_("Mail address"), required=False)
            f["mail_subject"] = forms.CharField(label=_("Mail subject"), required=False, max_length=200)
            f["mail_body"] = forms.CharField(
                label=_("Mail text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
            f["webhook"] = forms.ModelChoiceField(
                label=_("Call webhook"), queryset=Webhook.objects.filter(active=True), required=False
            )
            f["webhook"].empty_label = _("— none —")

    def _quiet_optional(self) -> None:
        # Every action and condition is optional: the form does not say so on each of them.
        for f in self.fields.values():
            if not f.required:
                f.widget.attrs["data_optional_hidden"] = "1"

    def actions(self) -> list[dict]:
        """The cleaned fields as the JSON action list (in a fixed order)."""
        d = self.cleaned_data
        out: list[dict] = []
        for name in ("set_status", "set_priority"):
            if d.get(name):
                out.append({"type": name, "value": d[name]})
        if d.get("set_assignee"):
            value = d["set_assignee"]
            out.append({"type": "set_assignee", "value": None if value == "none" else value})
        for name in ("set_team", "set_category"):
            if d.get(name):
                out.append({"type": name, "value": d[name].pk})
        for name in ("add_tags", "remove_tags"):
            if _tags(d.get(name, "")):
                out.append({"type": name, "value": _tags(d[name])})
        if d.get("reply_canned") or d.get("reply_body"):
            reply: dict[str, Any] = {"type": "reply", "body": d.get("reply_body", "")}
            if d.get("reply_canned"):
                reply["canned"] = d["reply_canned"].pk
            out.append(reply)
        if d.get("note_body"):
            out.append({"type": "note", "body": d["note_body"]})
        if d.get("escalate"):
            out.append(
                {
                    "type": "escalate",
                    "reason": d.get("escalate_reason"),
                    "summary": d.get("escalate_summary", ""),
                    "steps_taken": d.get("escalate_steps", ""),
                }
            )
        if self.for_rule and d.get("mail_to"):
            mail = {"type": "send_mail", "to": d["mail_to"], "subject": d.get("mail_subject", "")}
            mail["body"] = d.get("mail_body", "")
            if d["mail_to"] == "address":
                mail["address"] = d.get("mail_address", "")
            out.append(mail)
        if self.for_rule and d.get("webhook"):
            out.append({"type": "webhook", "webhook": d["webhook"].pk})
        return out

    @staticmethod
    def initial_from(actions: list[dict]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for a in actions:
            kind = a["type"]
            if kind in ("set_status", "set_priority", "set_team", "set_category"):
                initial[kind] = a["value"]
            elif kind == "set_assignee":
                initial[kind] = "none" if a["value"] is None else str(a["value"])
            elif kind in ("add_tags", "remove_tags"):
                initial[kind] = ", ".join(a["value"])
            elif kind == "reply":
                initial["reply_canned"], initial["reply_body"] = a.get("canned"), a.get("body", "")
            elif kind == "note":
                initial["note_body"] = a["body"]
            elif kind == "escalate":
                initial.update(
                    escalate=True,
                    escalate_reason=a["reason"],
                    escalate_summary=a["summary"],
                    escalate_steps=a["steps_taken"],
                )
            elif kind == "send_mail":
                initial.update(
                    mail_to=a["to"],
                    mail_address=a.get("address", ""),
                    mail_subject=a["subject"],
                    mail_body=a["body"],
                )
            elif kind == "webhook":
                initial["webhook"] = a["webhook"]
        return initial

    def action_fields(self) -> list[Any]:
        names = [n for n in self.fields if n not in self.own_fields]
        return [self[n] for n in names]

    own_fields: tuple[str, ...] = ()


class MacroForm(ActionFields):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    shared = forms.BooleanField(label=_("Shared with all agents"), required=False)

    own_fields = ("name", "description", "shared")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.is_supervisor:
            del self.fields["shared"]
        self.order_fields(["name", "description", "shared"])
        self._quiet_optional()


class RuleForm(ActionFields):
    name = forms.CharField(label=_("Name"), max_length=120)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    trigger = forms.ChoiceField(label=_("When"), choices=Rule.Trigger.choices)
    since = forms.ChoiceField(
        label=_("Time condition"), required=False, choices=[("", "—"), *Rule.Since.choices]
    )
    hours = forms.IntegerField(
        label=_("Hours"), required=False, min_value=1, max_value=24 * 365, help_text=_("72 hours = 3 days.")
    )
    cond_status = forms.MultipleChoiceField(
        label=_("Status is"),
        required=False,
        choices=Ticket.Status.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    cond_priority = forms.MultipleChoiceField(
        label=_("Priority is"), required=False, choices=Priority.choices, widget=forms.CheckboxSelectMultiple
    )
    cond_channel = forms.MultipleChoiceField(
        label=_("Channel is"),
        required=False,
        choices=Ticket.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    cond_tier = forms.TypedMultipleChoiceField(
        label=_("Tier is"),
        required=False,
        choices=Tier.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    cond_team = forms.ModelMultipleChoiceField(
        label=_("Team is"), required=False, queryset=Team.objects.all()
    )
    cond_category = _CategoriesChoice(label=_("Category is"), required=False, queryset=Category.objects.all())
    cond_tags_any = forms.CharField(label=_("Has any of the tags"), required=False)
    cond_tags_none = forms.CharField(label=_("Has none of the tags"), required=False)
    cond_text = forms.CharField(
        label=_("Text contains"),
        required=False,
        max_length=200,
        help_text=_("In the subject, the description or any message."),
    )
    cond_hours = forms.ChoiceField(
        label=_("Business hours"),
        required=False,
        choices=[
            ("", _("any time")),
            ("inside", _("inside business hours")),
            ("outside", _("outside business hours")),
        ],
    )
    cond_calendar = forms.ModelChoiceField(label=_("Calendar"), required=False, queryset=None)

    own_fields = (
        "name", "active", "trigger", "since", "hours", "cond_status", "cond_priority", "cond_channel",
        "cond_tier", "cond_team", "cond_category", "cond_tags_any", "cond_tags_none", "cond_text",
        "cond_hours", "cond_calendar",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, for_rule=True, **kwargs)
        from sla.models import Calendar

        self.fields["cond_calendar"].queryset = Calendar.objects.all()
        self.fields["cond_calendar"].empty_label = _("the default policy's calendar")
        self.order_fields(list(self.own_fields))
        self._quiet_optional()

    def condition_fields(self) -> list[Any]:
        return [self[n] for n in self.own_fields if n.startswith("cond_")]

    def conditions(self) -> list[dict]:
        d = self.cleaned_data
        out: list[dict] = []
        for name in ("status", "priority", "channel", "tier"):
            if d.get(f"cond_{name}"):
                out.append({"field": name, "op": "in", "value": list(d[f"cond_{name}"])})
        for name in ("team", "category"):
            if d.get(f"cond_{name}"):
                out.append({"field": name, "op": "in", "value": [o.pk for o in d[f"cond_{name}"]]})
        if _tags(d.get("cond_tags_any", "")):
            out.append({"field": "tags", "op": "has_any", "value": _tags(d["cond_tags_any"])})
        if _tags(d.get("cond_tags_none", "")):
            out.append({"field": "tags", "op": "has_none", "value": _tags(d["cond_tags_none"])})
        if d.get("cond_text"):
            out.append({"field": "text", "op": "contains", "value": d["cond_text"]})
        if d.get("cond_hours"):
            calendar = d.get("cond_calendar")
            out.append(
                {"field": "business_hours", "op": d["cond_hours"], "value": calendar.pk if calendar else None}
            )
        return out

    def service_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "active": d.get("active", False),
            "trigger": d["trigger"],
            "since": d.get("since") or "",
            "hours": d.get("hours"),
            "conditions": self.conditions(),
            "actions": self.actions(),
        }

    @staticmethod
    def initial_for(rule: Rule) -> dict[str, Any]:
        initial = ActionFields.initial_from(rule.actions)
        initial.update(
            name=rule.name, active=rule.active, trigger=rule.trigger, since=rule.since, hours=rule.hours
        )
        for c in rule.conditions:
            name = c["field"]
            if name in ("status", "priority", "channel", "tier", "team", "category") and c["op"] == "in":
                initial[f"cond_{name}"] = c["value"]
            elif name == "tags":
                initial["cond_tags_any" if c["op"] == "has_any" else "cond_tags_none"] = ", ".join(c["value"])
            elif name == "text":
                initial["cond_text"] = c["value"]
            elif name == "business_hours":
                initial["cond_hours"], initial["cond_calendar"] = c["op"], c["value"]
        return initial

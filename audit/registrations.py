"""The core's configuration models in the audit registry. Apps that come later register their own
models in their ``AppConfig.ready()`` with ``audit.registry.register`` (one call each)."""

from __future__ import annotations

from django.utils.translation import gettext

from . import registry


def _user_repr(user: object) -> str:
    # No name or address in the log: the page shows the person's current name from the id.
    return gettext("User #%(id)s") % {"id": user.pk}


def _is_staff_account(user: object) -> bool:
    # A customer signing up is not a configuration change; a new agent or supervisor is.
    return user.role != "customer" or user.is_staff or user.is_superuser


def _conditions_text(conditions: list[dict]) -> list[str]:
    """A rule's conditions in the reader's words, one line each ("Priorität: P1 kritisch")."""
    from django.conf import settings

    from accounts.models import Tier
    from automation.conditions import CHOICE_FIELDS, ID_MODELS, OTHER_FIELDS
    from tickets.models import Priority, Ticket
    from tickets.templatetags.helpdesk_ui import display_name

    choices = {
        "status": dict(Ticket.Status.choices),
        "priority": dict(Priority.choices),
        "channel": dict(Ticket.Channel.choices),
        "tier": dict(Tier.choices),
        "language": dict(settings.LANGUAGES),
        "sla_state": dict(Ticket.SlaState.choices),
    }
    lines = []
    for c in conditions:
        field, op, value = c.get("field"), c.get("op"), c.get("value")
        if field == "business_hours":
            inside = op == "inside"
            lines.append(gettext("inside business hours") if inside else gettext("outside business hours"))
            continue
        values = value if isinstance(value, list) else [value]
        if field in ID_MODELS:
            found = {o.pk: o for o in ID_MODELS[field]._base_manager.filter(pk__in=values)}
            show = display_name if field == "assignee" else str
            names = [show(found[v]) if v in found else f"#{v}" for v in values]
        else:
            names = [str(choices.get(field, {}).get(v, v)) for v in values]
        label = CHOICE_FIELDS[field][0] if field in CHOICE_FIELDS else OTHER_FIELDS.get(field, field)
        if op == "has_none":
            label = gettext("Tags (none of)")
        lines.append(f"{label}: {', '.join(names)}")
    return lines


def _hours_text(hours: dict) -> list[str]:
    """A calendar's working hours, one weekday each ("Mon 08:00–17:00"); {} reads as "–"."""
    from django.utils.dates import WEEKDAYS_ABBR

    return [
        f"{WEEKDAYS_ABBR[int(day)]} " + ", ".join(f"{a}–{b}" for a, b in spans)
        for day, spans in sorted(hours.items(), key=lambda kv: int(kv[0]))
    ]


def register_core_models() -> None:
    from accounts.models import Team, User
    from automation.actions import describe as describe_actions
    from automation.models import Macro, Rule
    from mailin.models import Mailbox
    from recurring.models import RecurringTicket
    from sla.models import Calendar, CustomHoliday, SlaPolicy
    from tickets.models import Category, EscalationPath
    from webhooks.models import Webhook

    registry.register(
        User,
        fields=["role", "is_active", "is_staff", "is_superuser"],
        m2m=["teams"],
        repr=_user_repr,
        log_create=_is_staff_account,
    )
    registry.register(Team)
    registry.register(Category)
    registry.register(EscalationPath)
    registry.register(Calendar, describe={"working_hours": _hours_text})
    registry.register(CustomHoliday)
    registry.register(SlaPolicy)
    describe = {"actions": describe_actions, "conditions": _conditions_text}
    registry.register(Rule, exclude=["created_at", "updated_at"], describe=describe)
    registry.register(Macro, exclude=["created_at", "updated_at"], describe=describe)
    registry.register(Webhook, secret=["secret"], exclude=["created_at"])
    registry.register(Mailbox, exclude=["last_polled_at", "last_error"])
    registry.register(RecurringTicket, exclude=["created_at", "handled_until", "next_run_at"])

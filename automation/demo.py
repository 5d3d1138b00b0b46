"""Demo data: shared macros and a few automation rules (``seed_demo`` calls ``seed()``). Idempotent.

``seed()`` runs before the demo's history is played: the event rules exist while it plays and fire for
none of it (``history_replay``), as for any imported history. ``after_history()`` runs the time rules
once, still as history: tickets resolved a week ago are closed as the rule would have closed them, and
nobody is mailed about the past.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from escalation.models import Escalation

from .models import Macro, Rule
from .services import macro_save, rule_save

MACROS = [
    {
        "name": "Ask for details",
        "description": "Set to pending and ask the customer for what we need.",
        "actions": [
            {"type": "set_status", "value": "pending"},
            {
                "type": "reply",
                "body": "Hello {customer_name},\n\nto help you with {reference} we need a few details: "
                "when did it start, what exactly do you see (a screenshot helps), and has anything "
                "changed on your device?\n\nKind regards\n{agent_name}",
            },
        ],
    },
    {
        "name": "Take it and confirm",
        "description": "Assign to me and tell the customer someone is on it.",
        "actions": [
            {"type": "set_assignee", "value": "me"},
            {
                "type": "reply",
                "body": "Hello {customer_name},\n\nI am looking into {subject} now.\n\n{agent_name}",
            },
        ],
    },
    {
        "name": "Network: hand over to tier 2",
        "description": "Tag and escalate with the usual network handoff.",
        "actions": [
            {"type": "add_tags", "value": ["network"]},
            {
                "type": "escalate",
                "reason": Escalation.Reason.NEEDS_EXPERTISE,
                "summary": "Network problem of {customer_name} ({reference}): {subject}",
                "steps_taken": "Checked the cable and WLAN, restarted the client, confirmed the account works.",
            },
        ],
    },
]

RULES = [
    {
        "name": "Close tickets resolved for 7 days",
        "trigger": "time",
        "since": "resolved",
        "hours": 7 * 24,
        "actions": [{"type": "set_status", "value": "closed"}],
    },
    {
        "name": "Remind after 3 days pending",
        "trigger": "time",
        "since": "pending",
        "hours": 72,
        "actions": [
            {"type": "add_tags", "value": ["reminded"]},
            {
                "type": "send_mail",
                "to": "requester",
                "subject": "We are waiting for your reply",
                "body": "Hello {customer_name},\n\nwe still need your answer to continue with {reference} "
                "({subject}). Just reply to this mail.\n\nYour service desk",
            },
        ],
    },
    {
        "name": "Outages are P1",
        "trigger": "created",
        "conditions": [{"field": "text", "op": "contains", "value": "outage"}],
        "actions": [{"type": "set_priority", "value": "P1"}, {"type": "add_tags", "value": ["outage"]}],
    },
    {
        "name": "Tag requests outside business hours",
        "trigger": "created",
        "conditions": [{"field": "business_hours", "op": "outside", "value": None}],
        "actions": [{"type": "add_tags", "value": ["after-hours"]}],
    },
    {
        "name": "SLA breach: tell the team",
        "trigger": "sla_breach",
        "actions": [
            {
                "type": "send_mail",
                "to": "team",
                "subject": "SLA breached: {subject}",
                "body": "{reference} ({subject}) has breached its SLA. Please take it now.",
            }
        ],
    },
]


def seed(*, stdout: Any = None) -> dict[str, int]:
    supervisor = User.objects.filter(role=User.Role.SUPERVISOR, is_active=True).order_by("pk").first()
    if supervisor is None:
        return {"macros": 0, "rules": 0}
    created = {"macros": 0, "rules": 0}
    for data in MACROS:
        if not Macro.objects.filter(name=data["name"], shared=True).exists():
            macro_save(user=supervisor, shared=True, **data)
            created["macros"] += 1
    for data in RULES:
        if not Rule.objects.filter(name=data["name"]).exists():
            rule_save(user=supervisor, **data)
            created["rules"] += 1
    return created


def after_history() -> None:
    from .services import rules_time_sweep

    rules_time_sweep()

"""The actions of macros and rules: one JSON schema, one validator, one way to apply them.

An action is a dict with a ``type``::

    {"type": "set_status", "value": "pending"}          # open, pending, closed
    {"type": "set_priority", "value": "P2"}
    {"type": "set_assignee", "value": 12}               # a user id, "me" (macros: who applies it), or null
    {"type": "set_team", "value": 3}
    {"type": "set_category", "value": 7}
    {"type": "add_tags", "value": ["vip"]}, {"type": "remove_tags", "value": ["new"]}
    {"type": "reply", "body": "Hello {customer_name}", "canned": 4}   # canned: a knowledge-base canned response
    {"type": "note", "body": "Checked by the macro"}
    {"type": "escalate", "reason": "needs_expertise", "summary": "…", "steps_taken": "…"}
    {"type": "send_mail", "to": "requester|assignee|team|address", "address": "…", "subject": "…", "body": "…"}
    {"type": "webhook", "webhook": 2}                   # rules only, like send_mail

Texts may use the placeholders ``{customer_name}``, ``{reference}``, ``{subject}``, ``{agent_name}`` and
``{team_name}``. Every change goes through the services of the core (``ticket_update``, ``message_add``),
of ``escalation`` (``ticket_escalate``), the outbox of ``notifications`` and the deliveries of ``webhooks``,
so events, notifications, SLA clocks and webhooks follow exactly as for a change made by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from helpdesk.errors import ApplicationError
from tickets import services as core
from tickets.models import SYSTEM_AUTHOR, Category, Message, Priority, Ticket, TicketEvent

PLACEHOLDERS = ("customer_name", "reference", "subject", "agent_name", "team_name")
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
STATUS_CHOICES = (Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.CLOSED)
MAIL_TO = {
    "requester": gettext_lazy("the requester"),
    "assignee": gettext_lazy("the assignee"),
    "team": gettext_lazy("the ticket's team"),
    "address": gettext_lazy("an address"),
}
# Only rules may send mail and call webhooks: a macro is an agent's click, and the agent writes a reply.
RULE_ONLY = {"send_mail", "webhook"}
MAX_ACTIONS = 20
MAX_TEXT = 10_000

LABELS = {
    "set_status": gettext_lazy("Set status"),
    "set_priority": gettext_lazy("Set priority"),
    "set_assignee": gettext_lazy("Assign to"),
    "set_team": gettext_lazy("Move to team"),
    "set_category": gettext_lazy("Set category"),
    "add_tags": gettext_lazy("Add tags"),
    "remove_tags": gettext_lazy("Remove tags"),
    "reply": gettext_lazy("Public reply"),
    "note": gettext_lazy("Internal note"),
    "escalate": gettext_lazy("Escalate"),
    "send_mail": gettext_lazy("Send mail to"),
    "webhook": gettext_lazy("Call webhook"),
}
FIELD_ACTIONS = {
    "set_status": "status",
    "set_priority": "priority",
    "set_assignee": "assignee",
    "set_team": "team",
    "set_category": "category",
}
# What each action changes, as the events it records (the loop check reads this).
ACTION_EVENTS = {
    "set_status": {TicketEvent.Kind.STATUS, TicketEvent.Kind.CLOSED, TicketEvent.Kind.REOPENED},
    "set_priority": {TicketEvent.Kind.PRIORITY},
    "set_assignee": {TicketEvent.Kind.ASSIGNEE, TicketEvent.Kind.STATUS},
    "set_team": {TicketEvent.Kind.TEAM},
    "set_category": {TicketEvent.Kind.CATEGORY},
    "add_tags": {TicketEvent.Kind.TAGS},
    "remove_tags": {TicketEvent.Kind.TAGS},
    "reply": {TicketEvent.Kind.MESSAGE, TicketEvent.Kind.STATUS},
    "note": {TicketEvent.Kind.NOTE},
    "escalate": {TicketEvent.Kind.ESCALATED, TicketEvent.Kind.ASSIGNEE, TicketEvent.Kind.MESSAGE},
    "send_mail": set(),
    "webhook": set(),
}


class ListInvalid(ApplicationError):
    """400 with the problems of a JSON list under its field (one line per problem)."""

    list_field = ""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0], field=self.list_field)
        self.errors = errors

    def as_dict(self) -> dict[str, object]:
        return {self.list_field: self.errors}


class ActionsInvalid(ListInvalid):
    list_field = "actions"


# --- validation -------------------------------------------------------------------------------------


def _placeholder_errors(text: str) -> list[str]:
    unknown = sorted({m.group(1) for m in PLACEHOLDER_RE.finditer(text)} - set(PLACEHOLDERS))
    if not unknown:
        return []
    return [
        _("Unknown placeholder %(names)s; use %(known)s.")
        % {
            "names": ", ".join(f"{{{n}}}" for n in unknown),
            "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
        }
    ]


def _text(action: dict, key: str, *, required: bool = True) -> tuple[str, list[str]]:
    value = action.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", [_("“%(key)s” must be text.") % {"key": key}]
    value = value.strip()
    if required and not value:
        return "", [_("“%(key)s” is required.") % {"key": key}]
    if len(value) > MAX_TEXT:
        return "", [_("“%(key)s” is too long (at most %(n)s characters).") % {"key": key, "n": MAX_TEXT}]
    return value, _placeholder_errors(value)


def _tag_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    names = sorted({v.strip().lower()[:50] for v in value if v.strip()})
    return names or None


def _id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def actions_validate(actions: Any, *, for_rule: bool) -> list[dict]:
    """The normalised action list, or ``ActionsInvalid`` naming every problem ("Action 2 (Set status): …")."""
    from escalation.models import Escalation
    from escalation.services import MIN_HANDOFF_CHARS, MIN_HANDOFF_WORDS
    from knowledgebase.models import CannedResponse
    from webhooks.models import Webhook

    if not isinstance(actions, list) or not actions:
        raise ActionsInvalid([_("Add at least one action.")])
    if len(actions) > MAX_ACTIONS:
        raise ActionsInvalid([_("At most %(n)s actions.") % {"n": MAX_ACTIONS}])
    out: list[dict] = []
    errors: list[str] = []
    seen: set[str] = set()
    for index, action in enumerate(actions, start=1):
        kind = action.get("type") if isinstance(action, dict) else None
        label = str(LABELS.get(kind, kind or "?"))
        problems: list[str] = []
        clean: dict[str, Any] = {"type": kind}
        if kind not in LABELS:
            problems.append(_("unknown action; use one of %(types)s.") % {"types": ", ".join(LABELS)})
        elif kind in RULE_ONLY and not for_rule:
            problems.append(_("only automation rules can do this."))
        elif kind in FIELD_ACTIONS and kind in seen:
            problems.append(_("given twice."))
        elif kind == "set_status":
            if action.get("value") not in STATUS_CHOICES:
                problems.append(
                    _("choose one of %(values)s.")
                    % {"values": ", ".join(str(Ticket.Status(s).label) for s in STATUS_CHOICES)}
                )
            clean["value"] = action.get("value")
        elif kind == "set_priority":
            if action.get("value") not in Priority.values:
                problems.append(_("choose one of %(values)s.") % {"values": ", ".join(Priority.values)})
            clean["value"] = action.get("value")
        elif kind == "set_assignee":
            value = action.get("value")
            if value == "me" and for_rule:
                problems.append(_("a rule has no “me”; choose an agent."))
            elif value not in (None, "", "me"):
                pk = _id(value)
                if (
                    pk is None
                    or not User.objects.filter(
                        pk=pk, is_active=True, role__in=(User.Role.AGENT, User.Role.SUPERVISOR)
                    ).exists()
                ):
                    problems.append(_("choose an active agent."))
                value = pk
            clean["value"] = value or None
        elif kind in ("set_team", "set_category"):
            model = Team if kind == "set_team" else Category
            pk = _id(action.get("value"))
            if pk is None or not model.objects.filter(pk=pk).exists():
                problems.append(_("choose one that exists."))
            clean["value"] = pk
        elif kind in ("add_tags", "remove_tags"):
            names = _tag_list(action.get("value"))
            if names is None:
                problems.append(_("give one or more tags."))
            clean["value"] = names or []
        elif kind == "reply":
            canned = action.get("canned")
            clean["body"], more = _text(action, "body", required=canned in (None, ""))
            problems += more
            if canned not in (None, ""):
                pk = _id(canned)
                if pk is None or not CannedResponse.objects.filter(pk=pk, active=True).exists():
                    problems.append(_("choose an active canned response."))
                clean["canned"] = pk
        elif kind == "note":
            clean["body"], more = _text(action, "body")
            problems += more
        elif kind == "escalate":
            if action.get("reason") not in Escalation.Reason.values:
                problems.append(
                    _("choose a reason: %(values)s.") % {"values": ", ".join(Escalation.Reason.values)}
                )
            clean["reason"] = action.get("reason")
            for key in ("summary", "steps_taken"):
                clean[key], more = _text(action, key)
                problems += more
                if clean[key] and (
                    len(clean[key]) < MIN_HANDOFF_CHARS or len(clean[key].split()) < MIN_HANDOFF_WORDS
                ):
                    problems.append(
                        _(
                            "“%(key)s” is too short for a handoff (at least %(chars)s characters, %(words)s words)."
                        )
                        % {"key": key, "chars": MIN_HANDOFF_CHARS, "words": MIN_HANDOFF_WORDS}
                    )
        elif kind == "send_mail":
            to = action.get("to")
            if to not in MAIL_TO:
                problems.append(_("send to one of %(values)s.") % {"values": ", ".join(MAIL_TO)})
            clean["to"] = to
            if to == "address":
                address = str(action.get("address") or "").strip()
                try:
                    validate_email(address)
                except ValidationError:
                    problems.append(_("give a valid mail address."))
                clean["address"] = address
            for key in ("subject", "body"):
                clean[key], more = _text(action, key)
                problems += more
            if len(clean.get("subject", "")) > 200:
                problems.append(_("the subject is too long (at most 200 characters)."))
        elif kind == "webhook":
            pk = _id(action.get("webhook"))
            if pk is None or not Webhook.objects.filter(pk=pk).exists():
                problems.append(_("choose a registered webhook."))
            clean["webhook"] = pk
        if isinstance(kind, str):
            seen.add(kind)
        errors += [
            _("Action %(n)s (%(label)s): %(problem)s") % {"n": index, "label": label, "problem": p}
            for p in problems
        ]
        out.append(clean)
    if errors:
        raise ActionsInvalid(errors)
    return out


# --- applying ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What applying actions did: the actions that changed something, and the events they recorded."""

    applied: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def placeholders_render(text: str, *, ticket: Ticket, actor: Any) -> str:
    """``text`` with the known placeholders filled (no format-string evaluation); unknown ones stay."""
    requester = ticket.requester
    values = {
        "customer_name": requester.get_full_name() or requester.get_username(),
        "reference": ticket.reference,
        "subject": ticket.subject,
        "agent_name": (actor.get_full_name() or actor.get_username()) if actor else str(SYSTEM_AUTHOR),
        "team_name": ticket.team.name if ticket.team_id else "",
    }
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _field_changes(ticket: Ticket, actions: list[dict], actor: Any) -> tuple[dict[str, Any], list[dict]]:
    """The ``ticket_update`` keyword arguments of the field and tag actions, and those actions."""
    changes: dict[str, Any] = {}
    used: list[dict] = []
    tags: set[str] | None = None
    for action in actions:
        kind = action["type"]
        if kind in FIELD_ACTIONS:
            value = action.get("value")
            if kind == "set_assignee":
                value = actor if value == "me" else (User.objects.get(pk=value) if value else None)
            elif kind == "set_team":
                value = Team.objects.get(pk=value)
            elif kind == "set_category":
                value = Category.objects.get(pk=value)
            changes[FIELD_ACTIONS[kind]] = value
            # The log names who "me" was.
            used.append({**action, "value": actor.pk} if action.get("value") == "me" and actor else action)
        elif kind in ("add_tags", "remove_tags"):
            if tags is None:
                tags = set(ticket.tags.values_list("name", flat=True))
            tags = tags | set(action["value"]) if kind == "add_tags" else tags - set(action["value"])
            used.append(action)
    if tags is not None:
        changes["tags"] = sorted(tags)
    return changes, used


def _public_reply(ticket: Ticket, body: str, actor: Any) -> Message:
    """A rule's reply is the helpdesk's (a system message, as escalation's customer update); a macro's is
    the agent's own reply through the same service as a typed one."""
    if actor is not None:
        return core.message_add(ticket=ticket, author=actor, body=body)
    if ticket.status == Ticket.Status.CLOSED:
        raise ApplicationError(_(core.TICKET_CLOSED_NO_REPLY))
    return _system_message(ticket, body, internal=False)


def actions_apply(*, ticket: Ticket, actions: list[dict], actor: Any, run_key: str) -> Outcome:
    """Apply validated actions to ``ticket`` inside the caller's transaction; ``actor`` None is a rule.

    Field and tag actions go through one ``ticket_update`` (one event per changed field), then replies,
    notes, escalation, mail and webhooks in their listed order. Raises ``ApplicationError`` when the
    ticket cannot take an action (a closed ticket, a team of another tier): the caller's savepoint then
    undoes all of it. ``run_key`` makes mail and webhook rows unique (the same run never sends twice).
    """
    from knowledgebase.models import CannedResponse

    outcome = Outcome()
    # Locked (again, when the caller holds the lock already: a no-op) and with what placeholders need.
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("requester", "team").get(pk=ticket.pk)
    )
    changes, used = _field_changes(ticket, actions, actor)
    # A canned response may set status / category too; an explicit field action wins.
    canned_ids = [a["canned"] for a in actions if a["type"] == "reply" and a.get("canned")]
    canned = {c.pk: c for c in CannedResponse.objects.filter(pk__in=canned_ids)} if canned_ids else {}
    for response in canned.values():
        if response.set_status and "status" not in changes:
            changes["status"] = response.set_status
        if response.set_category_id and "category" not in changes:
            changes["category"] = response.set_category
    if changes:
        version = ticket.version
        updated = core.ticket_update(ticket=ticket, by=actor, **changes)
        (outcome.applied if updated.version != version else outcome.skipped).extend(used)
        if updated.version != version:
            ticket = Ticket.objects.select_related("requester", "team").get(pk=ticket.pk)
    for action in actions:
        kind = action["type"]
        if kind in FIELD_ACTIONS or kind in ("add_tags", "remove_tags"):
            continue
        if kind == "reply":
            body = action.get("body") or ""
            if action.get("canned") in canned:
                body = "\n\n".join(p for p in (canned[action["canned"]].body, body) if p)
            _public_reply(ticket, placeholders_render(body, ticket=ticket, actor=actor), actor)
        elif kind == "note":
            if actor is None:
                # A rule's note has no author; it reads as the helpdesk's, never as a customer's.
                _system_message(
                    ticket, placeholders_render(action["body"], ticket=ticket, actor=None), internal=True
                )
            else:
                core.message_add(
                    ticket=ticket,
                    author=actor,
                    body=placeholders_render(action["body"], ticket=ticket, actor=actor),
                    internal=True,
                )
        elif kind == "escalate":
            from escalation.services import ticket_escalate

            ticket_escalate(
                ticket=ticket,
                by=actor,
                reason=action["reason"],
                summary=placeholders_render(action["summary"], ticket=ticket, actor=actor),
                steps_taken=placeholders_render(action["steps_taken"], ticket=ticket, actor=actor),
            )
        elif kind == "send_mail":
            if not _send_mail(ticket, action, run_key):
                outcome.skipped.append(action)
                continue
        elif kind == "webhook" and not _call_webhook(ticket, action, run_key):
            outcome.skipped.append(action)
            continue
        outcome.applied.append(action)
        if action is not actions[-1]:
            # The next action sees what this one changed (a reply opens the ticket, an escalation moves it).
            ticket = Ticket.objects.select_related("requester", "team").get(pk=ticket.pk)
    return outcome


def _system_message(ticket: Ticket, body: str, *, internal: bool) -> Message:
    """A message of the helpdesk itself on the ticket ``actions_apply`` holds locked: no agent's response
    (no first-response time, no reply count) and no customer's follow-up."""
    from tickets.events import event_record

    message = Message.objects.create(
        ticket=ticket, author=None, body=body, internal=internal, by_agent=internal, system=True
    )
    core._touch(ticket, ["updated_at"])
    kind = TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.MESSAGE
    event_record(ticket=ticket, kind=kind, actor=None, data={"message": message.pk, "system": True})
    return message


def _mail_recipients(ticket: Ticket, action: dict) -> list[tuple[User | None, str, str]]:
    """(user, address, language) of each recipient; nobody when the ticket has no such person."""
    to = action["to"]
    if to == "address":
        return [(None, action["address"], ticket.language or settings.LANGUAGE_CODE)]
    if to == "requester":
        users = [ticket.requester]
    elif to == "assignee":
        users = [ticket.assignee] if ticket.assignee_id else []
    else:
        users = list(User.objects.filter(teams=ticket.team_id, is_active=True)) if ticket.team_id else []
    return [(u, u.email, u.language or settings.LANGUAGE_CODE) for u in users if u is not None and u.email]


def _send_mail(ticket: Ticket, action: dict, run_key: str) -> bool:
    """Outbox rows (``notifications``) for the mail, delivered after commit by the outbox's workers."""
    from notifications.models import Notification
    from notifications.services import notification_enqueue
    from tickets.events import replaying_history

    recipients = _mail_recipients(ticket, action)
    if not recipients or replaying_history():  # history (imports, the demo) mails nobody
        return False
    subject = f"[{ticket.reference}] " + placeholders_render(action["subject"], ticket=ticket, actor=None)
    body = placeholders_render(action["body"], ticket=ticket, actor=None)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    now = timezone.now()
    rows = [
        Notification(
            ticket=ticket,
            recipient=user,
            address=address,
            channel=Notification.Channel.EMAIL,
            kind="rule",
            language=language,
            subject=" ".join(subject.split())[:300],
            body_text=body.strip() + "\n",
            body_html=linebreaks(escape(body)),
            idempotency_key=f"rule:{run_key}:{address.lower()}"[:200],
            message_id=make_msgid(idstring=ticket.reference.lower(), domain=domain),
            next_attempt_at=now,
            created_at=now,
        )
        for user, address, language in recipients
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Notification.objects.filter(
            idempotency_key__in=[r.idempotency_key for r in rows], status=Notification.Status.PENDING
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: notification_enqueue(ids=ids), robust=True)
    return True


def _call_webhook(ticket: Ticket, action: dict, run_key: str) -> bool:
    """A delivery row of the ``webhooks`` outbox, signed and retried by its workers after commit."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from tickets.events import replaying_history
    from webhooks.models import Delivery, Webhook
    from webhooks.services import ticket_payload
    from webhooks.tasks import deliver

    webhook = Webhook.objects.filter(pk=action["webhook"], active=True).first()
    if webhook is None or replaying_history():  # no integration hears of history
        return False
    payload = json.loads(
        json.dumps(
            {"event": "rule.fired", "occurred_at": timezone.now(), "ticket": ticket_payload(ticket)},
            cls=DjangoJSONEncoder,
        )
    )
    delivery, _created = Delivery.objects.get_or_create(
        webhook=webhook, key=f"rule-{run_key}"[:80], defaults={"event": "rule.fired", "payload": payload}
    )
    transaction.on_commit(lambda: deliver.delay([delivery.pk]), robust=True)
    return True


# --- describing (pages, log, API) -------------------------------------------------------------------


def describe(actions: Iterable[dict]) -> list[str]:
    """One line per action in the active language ("Set status: Pending"), names instead of ids."""
    from knowledgebase.models import CannedResponse
    from webhooks.models import Webhook

    actions = list(actions)
    ids: dict[str, set[int]] = {}
    for a in actions:
        for key, model_key in (("value", a["type"]), ("canned", "canned"), ("webhook", "webhook")):
            if key in a and isinstance(a[key], int) and not isinstance(a[key], bool):
                ids.setdefault(model_key, set()).add(a[key])
    names: dict[tuple[str, int], str] = {}
    sources: dict[str, Any] = {
        "set_assignee": User.objects.all(),
        "set_team": Team.objects.all(),
        "set_category": Category.objects.all(),
        "canned": CannedResponse.objects.all(),
        "webhook": Webhook.objects.all(),
    }
    for key, pks in ids.items():
        if key not in sources:
            continue
        for obj in sources[key].filter(pk__in=pks):
            if isinstance(obj, User):
                label = obj.get_full_name() or obj.username
            elif isinstance(obj, Category):
                label = obj.localized_name
            elif isinstance(obj, Webhook):
                label = obj.url
            elif isinstance(obj, CannedResponse):
                label = obj.title
            else:
                label = str(obj)
            names[(key, obj.pk)] = label
    lines = []
    for a in actions:
        kind = a["type"]
        label = str(LABELS.get(kind, kind))
        value = a.get("value")
        if kind == "set_status":
            text = str(Ticket.Status(value).label) if value in Ticket.Status.values else str(value)
        elif kind == "set_priority":
            text = str(Priority(value).label) if value in Priority.values else str(value)
        elif kind == "set_assignee":
            text = _("whoever applies it") if value == "me" else names.get((kind, value), _("nobody"))
        elif kind in ("set_team", "set_category"):
            text = names.get((kind, value), "?")
        elif kind in ("add_tags", "remove_tags"):
            text = ", ".join(value or [])
        elif kind == "reply":
            parts = []
            if a.get("canned"):
                parts.append(names.get(("canned", a["canned"]), "?"))
            if a.get("body"):
                parts.append(_short(a["body"]))
            text = " + ".join(parts)
        elif kind == "note":
            text = _short(a.get("body", ""))
        elif kind == "escalate":
            from escalation.models import Escalation

            reason = a.get("reason")
            text = str(Escalation.Reason(reason).label) if reason in Escalation.Reason.values else str(reason)
        elif kind == "send_mail":
            to = a.get("to")
            text = a.get("address") if to == "address" else str(MAIL_TO.get(to, to))
            text = f"{text}: {_short(a.get('subject', ''))}"
        elif kind == "webhook":
            text = names.get(("webhook", a.get("webhook")), "?")
        else:
            text = ""
        lines.append(f"{label}: {text}" if text else label)
    return lines


def _short(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

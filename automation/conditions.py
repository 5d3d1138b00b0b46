"""The conditions of rules: one JSON schema, validated once, turned into one ``Q`` for the database.

A condition is ``{"field": …, "op": …, "value": …}``; all of a rule's conditions must hold::

    {"field": "status", "op": "in", "value": ["new", "open"]}     # also "not_in"
    # fields: status, priority, channel, tier, team, category, assignee (null = unassigned), language, sla_state
    {"field": "tags", "op": "has_any", "value": ["vip"]}          # also "has_none"
    {"field": "text", "op": "contains", "value": "refund"}        # subject, description or any message
    {"field": "business_hours", "op": "inside", "value": 1}       # "outside"; value: an SLA calendar id or null

Everything but business hours becomes a ``Q`` (``conditions_q``), so an event rule on one ticket, the time
sweep over all tickets and the dry run ask the database the same question. Business hours are checked
in Python against the calendar (``sla.businesstime``) at the moment of the event (or of the sweep).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, Tier, User
from tickets.models import Category, Message, Priority, Ticket

from .actions import ListInvalid, _id, _tag_list

Status = Ticket.Status

# field → (label, the values it may take, or None for ids checked against their table)
CHOICE_FIELDS: dict[str, tuple[Any, list[Any] | None]] = {
    "status": (gettext_lazy("Status"), list(Status.values)),
    "priority": (gettext_lazy("Priority"), list(Priority.values)),
    "channel": (gettext_lazy("Channel"), list(Ticket.Channel.values)),
    "tier": (gettext_lazy("Tier"), list(Tier.values)),
    "language": (gettext_lazy("Language"), ["de", "en"]),
    "sla_state": (gettext_lazy("SLA"), list(Ticket.SlaState.values)),
    "team": (gettext_lazy("Team"), None),
    "category": (gettext_lazy("Category"), None),
    "assignee": (gettext_lazy("Assignee"), None),
}
ID_MODELS = {"team": Team, "category": Category, "assignee": User}
OTHER_FIELDS = {
    "tags": gettext_lazy("Tags"),
    "text": gettext_lazy("Text contains"),
    "business_hours": gettext_lazy("Business hours"),
}
MAX_CONDITIONS = 20


class ConditionsInvalid(ListInvalid):
    list_field = "conditions"


def conditions_validate(conditions: Any) -> list[dict]:
    """The normalised list, or ``ConditionsInvalid`` naming every problem ("Condition 1 (Status): …")."""
    from sla.models import Calendar

    if conditions in (None, ""):
        return []
    if not isinstance(conditions, list):
        raise ConditionsInvalid([_("Give the conditions as a list.")])
    if len(conditions) > MAX_CONDITIONS:
        raise ConditionsInvalid([_("At most %(n)s conditions.") % {"n": MAX_CONDITIONS}])
    out, errors = [], []
    for index, cond in enumerate(conditions, start=1):
        name = cond.get("field") if isinstance(cond, dict) else None
        op = cond.get("op") if isinstance(cond, dict) else None
        value = cond.get("value") if isinstance(cond, dict) else None
        label = str(CHOICE_FIELDS[name][0] if name in CHOICE_FIELDS else OTHER_FIELDS.get(name, name or "?"))
        problems: list[str] = []
        clean: dict[str, Any] = {"field": name, "op": op}
        if name in CHOICE_FIELDS:
            if op not in ("in", "not_in"):
                problems.append(_("use the operator “in” or “not_in”."))
            allowed = CHOICE_FIELDS[name][1]
            values = value if isinstance(value, list) else [value]
            if allowed is None:
                pks = [None if v is None and name == "assignee" else _id(v) for v in values]
                if any(pk is None for pk in pks if name != "assignee") or (
                    name != "assignee" and None in pks
                ):
                    problems.append(_("give ids."))
                found = set(
                    ID_MODELS[name].objects.filter(pk__in=[p for p in pks if p]).values_list("pk", flat=True)
                )
                if {p for p in pks if p} - found:
                    problems.append(_("some of these do not exist."))
                values = sorted(set(pks), key=lambda p: (p is not None, p or 0))
            else:
                if name == "tier":
                    values = [_id(v) for v in values]
                bad = [v for v in values if v not in allowed]
                if bad:
                    problems.append(_("choose from %(values)s.") % {"values": ", ".join(map(str, allowed))})
            if not values:
                problems.append(_("choose at least one value."))
            clean["value"] = values
        elif name == "tags":
            if op not in ("has_any", "has_none"):
                problems.append(_("use the operator “has_any” or “has_none”."))
            names = _tag_list(value)
            if names is None:
                problems.append(_("give one or more tags."))
            clean["value"] = names or []
        elif name == "text":
            if op != "contains":
                problems.append(_("use the operator “contains”."))
            text = value.strip() if isinstance(value, str) else ""
            if len(text) < 2 or len(text) > 200:
                problems.append(_("give a text of 2 to 200 characters."))
            clean["value"] = text
        elif name == "business_hours":
            if op not in ("inside", "outside"):
                problems.append(_("use the operator “inside” or “outside”."))
            if value not in (None, ""):
                pk = _id(value)
                if pk is None or not Calendar.objects.filter(pk=pk).exists():
                    problems.append(_("choose an SLA calendar."))
                clean["value"] = pk
            else:
                clean["value"] = None
        else:
            problems.append(
                _("unknown field; use one of %(fields)s.")
                % {"fields": ", ".join([*CHOICE_FIELDS, *OTHER_FIELDS])}
            )
        errors += [
            _("Condition %(n)s (%(label)s): %(problem)s") % {"n": index, "label": label, "problem": p}
            for p in problems
        ]
        out.append(clean)
    if errors:
        raise ConditionsInvalid(errors)
    return out


def _choice_q(name: str, values: list[Any]) -> Q:
    column = f"{name}_id" if name in ID_MODELS else name
    q = Q(**{f"{column}__in": [v for v in values if v is not None]})
    if None in values:
        q |= Q(**{f"{column}__isnull": True})
    return q


def conditions_q(conditions: list[dict]) -> Q:
    """The database part of the conditions as one ``Q`` over ``Ticket`` (business hours are not in it)."""
    q = Q()
    for cond in conditions:
        name, op, value = cond["field"], cond["op"], cond["value"]
        if name in CHOICE_FIELDS:
            part = _choice_q(name, value)
            q &= part if op == "in" else ~part
        elif name == "tags":
            tagged = Exists(Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag__name__in=value))
            q &= Q(tagged) if op == "has_any" else ~Q(tagged)
        elif name == "text":
            in_messages = Exists(Message.objects.filter(ticket_id=OuterRef("pk"), body__icontains=value))
            q &= Q(subject__icontains=value) | Q(description__icontains=value) | Q(in_messages)
    return q


# --- business hours ---------------------------------------------------------------------------------


def _schedule(calendar_id: int | None) -> Any:
    from sla.models import Calendar, SlaPolicy

    calendar = None
    if calendar_id:
        calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        policy = SlaPolicy.objects.filter(is_default=True).select_related("calendar").first()
        calendar = policy.calendar if policy else Calendar.objects.order_by("pk").first()
    return calendar.schedule() if calendar else None


def in_business_hours(schedule: Any, instant: datetime) -> bool:
    """Whether ``instant`` falls in a working period of the schedule (``sla.businesstime``)."""
    if schedule is None or schedule.always_open:
        return True
    local_day = instant.astimezone(schedule.tz).date()
    return any(
        a <= instant < b
        for day in (local_day - timedelta(days=1), local_day)
        for a, b in schedule.intervals(day)
    )


def time_conditions_hold(conditions: list[dict], instant: datetime, cache: dict | None = None) -> bool:
    """The business-hours conditions at ``instant`` (True when there are none)."""
    cache = {} if cache is None else cache
    for cond in conditions:
        if cond["field"] != "business_hours":
            continue
        key = cond["value"]
        if key not in cache:
            cache[key] = _schedule(key)
        inside = in_business_hours(cache[key], instant)
        if inside != (cond["op"] == "inside"):
            return False
    return True


# --- can this ever match? ---------------------------------------------------------------------------

# The statuses a ticket can have right after each trigger (what the services allow).
TRIGGER_STATUSES = {
    "created": {Status.NEW, Status.OPEN},
    "customer_replied": {Status.NEW, Status.OPEN},
    "escalated": {Status.NEW, Status.OPEN, Status.PENDING},
    "sla_warning": {Status.NEW, Status.OPEN},
    "sla_breach": {Status.NEW, Status.OPEN},
}
SINCE_STATUSES = {
    "pending": {Status.PENDING},
    "resolved": {Status.RESOLVED},
    "unchanged": set(Ticket.OPEN_STATUSES),
    "created": set(Ticket.OPEN_STATUSES),
}


def _allowed_values(conditions: list[dict], name: str, universe: set[Any]) -> set[Any]:
    allowed = set(universe)
    for cond in conditions:
        if cond["field"] == name:
            values = set(cond["value"])
            allowed = allowed & values if cond["op"] == "in" else allowed - values
    return allowed


def never_matches(*, trigger: str, since: str, conditions: list[dict]) -> str | None:
    """Why a rule with these conditions can never fire, or None."""
    from sla.models import Calendar

    statuses = set(Status.values)
    if trigger == "time":
        statuses = SINCE_STATUSES.get(since, statuses)
    else:
        statuses = TRIGGER_STATUSES.get(trigger, statuses)
    if not _allowed_values(conditions, "status", statuses):
        from .models import Rule

        moment = Rule.Since(since).label if trigger == "time" and since in Rule.Since.values else ""
        if not moment:
            moment = Rule.Trigger(trigger).label if trigger in Rule.Trigger.values else trigger
        return _(
            "at “%(moment)s” a ticket is %(statuses)s, and the conditions on the status allow none of these."
        ) % {
            "moment": moment,
            "statuses": ", ".join(str(Status(s).label) for s in Status.values if s in statuses),
        }
    for name, (label, allowed) in CHOICE_FIELDS.items():
        if name == "status":
            continue
        mentioned = {v for c in conditions if c["field"] == name for v in c["value"]}
        universe = set(allowed) if allowed is not None else mentioned | {"<other>"}
        if trigger == "created" and name == "tier":
            universe = {1}
        if trigger == "escalated" and name == "tier":
            universe = {2, 3}
        if not _allowed_values(conditions, name, universe):
            return _("The conditions on “%(field)s” exclude each other.") % {"field": label}
    has_any = [set(c["value"]) for c in conditions if c["field"] == "tags" and c["op"] == "has_any"]
    has_none = set().union(
        *[set(c["value"]) for c in conditions if c["field"] == "tags" and c["op"] == "has_none"]
    )
    if any(wanted <= has_none for wanted in has_any):
        return _("The conditions on tags exclude each other.")
    hours = [c for c in conditions if c["field"] == "business_hours"]
    if {c["op"] for c in hours} == {"inside", "outside"} and len({c["value"] for c in hours}) == 1:
        return _("A moment cannot be inside and outside business hours at once.")
    for cond in hours:
        schedule = _schedule(cond["value"]) if cond["value"] or Calendar.objects.exists() else None
        if schedule is None:
            continue
        if cond["op"] == "outside" and schedule.always_open:
            return _("The calendar is open around the clock: nothing is outside its business hours.")
        if cond["op"] == "inside" and not schedule.always_open and not any(schedule.hours.values()):
            return _("The calendar has no working hours: nothing is inside them.")
    return None

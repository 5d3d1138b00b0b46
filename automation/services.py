"""Writes of the automation app: macros and rules (with their checks), applying a macro, running rules.

Event rules react to ``tickets.events.event_recorded``: the receiver only notes the event (no query);
right after the change commits, ``rules_run_for_events`` checks the rules listening to it, in their
order, each in its own savepoint, so a failing rule never undoes the agent's change nor another rule's.
Time rules run in the periodic sweep (``rules_time_sweep``, Celery beat): one query per rule finds the
tickets due, locked in pk order with SKIP LOCKED, in batches, and a unique log row per (rule, ticket,
anchor) makes each fire once however often the sweep runs, and at once.

Loop protection: every change a rule makes is recorded with the chain of rules that led to it; a rule
never reacts to a change its own chain caused, and a chain stops at ``MAX_CHAIN_DEPTH``. A rule whose
change would start another rule whose change starts the first again is refused when saved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.services import audit_queryset_update
from helpdesk.errors import ApplicationError
from tickets.models import Message, Ticket, TicketEvent
from tickets.services import ticket_lock

from .actions import ACTION_EVENTS, FIELD_ACTIONS, actions_apply, actions_validate
from .conditions import conditions_q, conditions_validate, never_matches, time_conditions_hold
from .models import Macro, Rule, Run

logger = logging.getLogger(__name__)
K = TicketEvent.Kind

MAX_CHAIN_DEPTH = 3
# 500 tickets per transaction, as the SLA sweep: short row locks, bounded memory.
SWEEP_BATCH_SIZE = 500
DRY_RUN_DAYS = 7
DRY_RUN_LIMIT = 50

MACRO_SHARED_ONLY_SUPERVISORS = gettext_noop("Only supervisors can share macros or change shared ones.")
MACRO_NOT_YOURS = gettext_noop("This is another agent's personal macro.")

# The event kinds each trigger reacts to. "updated": any change of the ticket's fields.
UPDATED_KINDS = frozenset(
    {
        K.STATUS, K.TIER, K.TEAM, K.ASSIGNEE, K.PRIORITY, K.IMPACT, K.URGENCY,
        K.CATEGORY, K.TAGS, K.RESOLVED, K.REOPENED, K.CLOSED,
    }
)  # fmt: skip
TRIGGER_KINDS: dict[str, frozenset[str]] = {
    Rule.Trigger.CREATED: frozenset({K.CREATED}),
    Rule.Trigger.UPDATED: UPDATED_KINDS,
    Rule.Trigger.CUSTOMER_REPLIED: frozenset({K.MESSAGE}),
    Rule.Trigger.ESCALATED: frozenset({K.ESCALATED}),
    Rule.Trigger.SLA_WARNING: frozenset({K.SLA_WARNING}),
    Rule.Trigger.SLA_BREACH: frozenset({K.SLA_BREACH}),
}

TRIGGERING_KINDS = frozenset().union(*TRIGGER_KINDS.values())

# The rules whose actions are being applied right now (outermost first): recorded with every event.
_chain: ContextVar[tuple[int, ...]] = ContextVar("automation_chain", default=())


# --- macros -----------------------------------------------------------------------------------------


def macro_visible_qs(*, user: Any) -> QuerySet[Macro]:
    """The macros ``user`` may apply and see: the shared ones and their own (agents only)."""
    if not (user and user.is_authenticated and user.is_agent):
        return Macro.objects.none()
    return Macro.objects.filter(Q(shared=True) | Q(owner=user))


def macro_can_edit(*, macro: Macro, user: Any) -> bool:
    return user.is_supervisor if macro.shared else macro.owner_id == user.pk


@transaction.atomic
def macro_save(
    *,
    user: Any,
    macro: Macro | None = None,
    name: str,
    actions: Any,
    description: str = "",
    shared: bool = False,
) -> Macro:
    """Create or change a macro. Shared macros are the supervisors'; a personal one is its owner's."""
    if shared and not user.is_supervisor:
        raise ApplicationError(_(MACRO_SHARED_ONLY_SUPERVISORS), field="shared")
    if macro is not None and not macro_can_edit(macro=macro, user=user):
        raise ApplicationError(_(MACRO_SHARED_ONLY_SUPERVISORS if macro.shared else MACRO_NOT_YOURS))
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the macro a name."), field="name")
    clean = actions_validate(actions, for_rule=False)
    macro = macro or Macro(owner=user)
    macro.name, macro.description, macro.actions = name[:120], (description or "").strip()[:300], clean
    macro.shared = bool(shared)
    if macro.owner_id is None:
        macro.owner = user
    macro.updated_at = timezone.now()
    macro.save()
    return macro


@transaction.atomic
def macro_delete(*, macro: Macro, user: Any) -> None:
    if not macro_can_edit(macro=macro, user=user):
        raise ApplicationError(_(MACRO_SHARED_ONLY_SUPERVISORS if macro.shared else MACRO_NOT_YOURS))
    macro.delete()


@transaction.atomic
def apply_macro(ticket: Ticket, macro: Macro, actor: Any) -> Run:
    """Apply ``macro`` to ``ticket`` as ``actor``, inside the caller's transaction (a savepoint).

    The ticket may already be locked by the caller (bulk actions lock their chunk in pk order); every
    change goes through the ticket, escalation, notification services as if made by hand, so events,
    mail and rules follow. Raises ``ApplicationError`` (nothing applied) when the ticket cannot take it.
    """
    outcome = actions_apply(ticket=ticket, actions=macro.actions, actor=actor, run_key=f"macro-{macro.pk}")
    return Run.objects.create(
        ticket_id=ticket.pk,
        macro=macro,
        name=macro.name,
        actor=actor if getattr(actor, "pk", None) else None,
        outcome=Run.Outcome.APPLIED if outcome.applied else Run.Outcome.NO_CHANGE,
        changes=outcome.applied,
    )


# --- rules: saving and their checks -----------------------------------------------------------------


@dataclass(frozen=True)
class RuleDraft:
    """A rule as it would be saved (the checks and the dry run work on this, saved or not)."""

    name: str
    trigger: str
    since: str
    hours: int | None
    conditions: list[dict]
    actions: list[dict]
    active: bool = True
    pk: int | None = None


def rule_draft(
    *,
    name: str,
    trigger: str,
    actions: Any,
    conditions: Any = None,
    since: str = "",
    hours: int | None = None,
    active: bool = True,
    pk: int | None = None,
) -> RuleDraft:
    """Validate a rule's parts; ``ApplicationError`` / field errors for anything wrong."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the rule a name.")]
    if trigger not in Rule.Trigger.values:
        errors["trigger"] = [_("Choose when the rule runs.")]
    if trigger == Rule.Trigger.TIME:
        if since not in Rule.Since.values:
            errors["since"] = [_("Choose what the time is measured from.")]
        if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 24 * 365:
            errors["hours"] = [_("Give a number of hours from 1 to 8760.")]
    else:
        since, hours = "", None
    clean_conditions: list[dict] = []
    clean_actions: list[dict] = []
    try:
        clean_conditions = conditions_validate(conditions)
    except ApplicationError as exc:
        errors.update(exc.as_dict())  # type: ignore[arg-type]
    try:
        clean_actions = actions_validate(actions, for_rule=True)
    except ApplicationError as exc:
        errors.update(exc.as_dict())  # type: ignore[arg-type]
    if errors:
        raise RuleInvalid(errors)
    return RuleDraft(
        name=name[:120],
        trigger=trigger,
        since=since or "",
        hours=hours,
        conditions=clean_conditions,
        actions=clean_actions,
        active=active,
        pk=pk,
    )


class RuleInvalid(ApplicationError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first][0], field=first)
        self.errors = errors

    def as_dict(self) -> dict[str, object]:
        return dict(self.errors)


def _sets(rule: RuleDraft | Rule) -> dict[str, Any]:
    return {FIELD_ACTIONS[a["type"]]: a.get("value") for a in rule.actions if a["type"] in FIELD_ACTIONS}


def _effect_kinds(rule: RuleDraft | Rule) -> set[str]:
    """The events the rule's actions record (left out: field actions its own conditions make no-ops)."""
    pinned = {
        c["field"]: set(c["value"])
        for c in rule.conditions
        if c.get("op") == "in" and isinstance(c["value"], list)
    }
    kinds: set[str] = set()
    for action in rule.actions:
        name = FIELD_ACTIONS.get(action["type"])
        if name and pinned.get(name) == {action.get("value")}:
            continue  # the ticket already has that value whenever the rule fires: nothing changes
        kinds |= ACTION_EVENTS[action["type"]]
    return kinds


def _starts(first: RuleDraft | Rule, second: RuleDraft | Rule) -> bool:
    """Whether a change made by ``first`` can start ``second``."""
    if not _effect_kinds(first) & TRIGGER_KINDS.get(second.trigger, frozenset()):
        return False
    for name, value in _sets(first).items():
        for cond in second.conditions:
            if cond["field"] != name:
                continue
            if (cond["op"] == "in") != (value in cond["value"]):
                return False  # the value ``first`` sets is one ``second`` excludes
    added = {t for a in first.actions if a["type"] == "add_tags" for t in a["value"]}
    for cond in second.conditions:
        if cond["field"] == "tags" and cond["op"] == "has_none" and added & set(cond["value"]):
            return False
    return True


def _conflict(rules: list[RuleDraft | Rule]) -> bool:
    """Whether some of ``rules`` undo each other's changes (so together they never settle)."""
    values: dict[str, set[Any]] = {}
    added: set[str] = set()
    removed: set[str] = set()
    for rule in rules:
        for name, value in _sets(rule).items():
            values.setdefault(name, set()).add(value)
        for action in rule.actions:
            if action["type"] == "add_tags":
                added |= set(action["value"])
            elif action["type"] == "remove_tags":
                removed |= set(action["value"])
            elif action["type"] == "escalate":
                return True  # every escalation is a change of its own: it never settles
    return any(len(v) > 1 for v in values.values()) or bool(added & removed)


def rule_loop_reason(draft: RuleDraft, others: Iterable[Rule] | None = None) -> str | None:
    """Why saving ``draft`` would make rules start each other in a circle for ever, or None.

    A circle is rules where each one's change starts the next and the last starts the first again; it
    loops when they undo each other's changes (one sets priority P1, another P2; one adds a tag another
    removes) or escalate. Circles of changes that settle (each sets what the others leave alone) are fine:
    the run-time protection stops them after one round."""
    if draft.trigger == Rule.Trigger.TIME or not draft.active:
        return None
    if draft.trigger == Rule.Trigger.ESCALATED and any(a["type"] == "escalate" for a in draft.actions):
        return _("This rule escalates when a ticket is escalated: it would start itself again.")
    if others is None:
        others = Rule.objects.filter(active=True).exclude(trigger=Rule.Trigger.TIME).exclude(pk=draft.pk)
    rules: list[RuleDraft | Rule] = [draft, *others]
    # Depth-first from the draft through "its change starts that rule"; back at the draft: a circle.
    path: list[RuleDraft | Rule] = [draft]

    def visit(rule: RuleDraft | Rule) -> list[RuleDraft | Rule] | None:
        for nxt in rules:
            if nxt is rule or not _starts(rule, nxt):
                continue
            if nxt is draft:
                if len(path) > 1 and _conflict(path):
                    return [*path, draft]
                continue
            if nxt in path:
                continue
            path.append(nxt)
            found = visit(nxt)
            if found:
                return found
            path.pop()
        return None

    circle = visit(draft)
    if not circle:
        return None
    names = " → ".join(f"“{r.name}”" for r in circle)
    return _(
        "These rules would start each other in a circle for ever, undoing each other's changes: %(names)s. "
        "Change a condition so that one of them no longer matches what the other sets."
    ) % {"names": names}


def rule_check(draft: RuleDraft) -> None:
    """Refuse (field ``conditions``) a rule that can never match, and one that would loop."""
    reason = never_matches(trigger=draft.trigger, since=draft.since, conditions=draft.conditions)
    if reason:
        raise RuleInvalid({"conditions": [_("This rule can never match: %(reason)s") % {"reason": reason}]})
    reason = rule_loop_reason(draft)
    if reason:
        raise RuleInvalid({"actions": [reason]})


@transaction.atomic
def rule_save(*, user: Any, rule: Rule | None = None, **fields: Any) -> Rule:
    """Create or change a rule (supervisors); refused with the reason when it would loop or never match."""
    if not user.is_supervisor:
        raise ApplicationError(_("Only supervisors manage automation rules."))
    draft = rule_draft(pk=rule.pk if rule else None, **fields)
    rule_check(draft)
    if rule is None:
        rule = Rule(created_by=user)
        rule.position = (Rule.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    for name in ("name", "trigger", "since", "hours", "conditions", "actions", "active"):
        setattr(rule, name, getattr(draft, name))
    rule.updated_at = timezone.now()
    rule.save()
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule) -> None:
    rule.delete()


@transaction.atomic
def rule_move(*, rule: Rule, up: bool) -> None:
    """Swap the rule with its neighbour above (or below); positions are renumbered 1…n."""
    rules = list(Rule.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, r in enumerate(rules, start=1):
        if r.position != position:
            # No signals for an UPDATE: the audit log gets each move here (issue #14).
            audit_queryset_update(Rule.objects.filter(pk=r.pk), position=position)


# --- running: event rules ---------------------------------------------------------------------------


def event_triggers(event: TicketEvent, wanted: set[str] | None = None) -> set[str]:
    """The triggers (of ``wanted``) an event fires (customer replied: a public message nobody on our side
    wrote)."""
    out = {trigger for trigger, kinds in TRIGGER_KINDS.items() if event.kind in kinds}
    if wanted is not None:
        out &= wanted
    if Rule.Trigger.CUSTOMER_REPLIED in out:
        message_id = event.data.get("message")
        if (
            event.data.get("system")
            or not message_id
            or not Message.objects.filter(
                pk=message_id, by_agent=False, system=False, internal=False
            ).exists()
        ):
            out.discard(Rule.Trigger.CUSTOMER_REPLIED)
    return out


def _matches(rule: Rule, ticket_id: int, instant: datetime, cache: dict) -> bool:
    if not time_conditions_hold(rule.conditions, instant, cache):
        return False
    return Ticket.objects.filter(conditions_q(rule.conditions), pk=ticket_id).exists()


def rules_run_for_events(entries: list[tuple[int, tuple[int, ...]]]) -> int:
    """Run the event rules for committed events ``(event id, chain of rules that caused it)``.

    Each event's rules run in one transaction with the ticket locked, in their order, each seeing the
    changes of the ones before. Returns how many rules fired.
    """
    rules = list(
        Rule.objects.filter(active=True).exclude(trigger=Rule.Trigger.TIME).order_by("position", "id")
    )
    if not rules:
        return 0
    chains = dict(entries)
    fired = 0
    schedules: dict = {}
    # One change of three fields is three events: a rule reacts to the change once (per ticket and batch).
    handled: set[tuple[int, int]] = set()
    # Events of a rolled-back savepoint are not in the table any more: they are simply not found.
    wanted = {r.trigger for r in rules}
    for event in TicketEvent.objects.filter(pk__in=list(chains)).order_by("pk"):
        triggers = event_triggers(event, wanted)
        candidates = [r for r in rules if r.trigger in triggers and (r.pk, event.ticket_id) not in handled]
        if not candidates:
            continue
        chain = chains[event.pk]
        with transaction.atomic():
            ticket = ticket_lock(pk=event.ticket_id)
            for rule in candidates:
                if not _matches(rule, ticket.pk, event.created_at, schedules):
                    continue
                handled.add((rule.pk, ticket.pk))
                fired += _run_rule(rule, ticket, chain=chain, event=event)
    return fired


def _run_rule(
    rule: Rule,
    ticket: Ticket,
    *,
    chain: tuple[int, ...],
    event: TicketEvent | None = None,
    anchor: Any = None,
) -> int:
    """One rule on one (locked) ticket: claim its log row, apply in a savepoint, record the outcome."""
    outcome = Run.Outcome.APPLIED
    if rule.pk in chain:
        outcome = Run.Outcome.LOOP
    elif len(chain) >= MAX_CHAIN_DEPTH:
        outcome = Run.Outcome.DEPTH
    try:
        with transaction.atomic():
            run = Run.objects.create(
                ticket_id=ticket.pk, rule=rule, name=rule.name, event=event, anchor=anchor,
                outcome=outcome, depth=len(chain),
            )  # fmt: skip
    except IntegrityError:
        return 0  # this rule already handled this event / anchor (a second sweep, a re-sent signal)
    if outcome != Run.Outcome.APPLIED:
        return 0
    _apply_run(rule, ticket, run, chain)
    run.save(update_fields=["outcome", "error", "changes"])
    return int(run.outcome == Run.Outcome.APPLIED)


def _apply_run(rule: Rule, ticket: Ticket, run: Run, chain: tuple[int, ...]) -> None:
    """Apply the rule's actions in a savepoint, with the chain set; the outcome goes on ``run`` (unsaved)."""
    token = _chain.set((*chain, rule.pk))
    try:
        with transaction.atomic():
            applied = actions_apply(ticket=ticket, actions=rule.actions, actor=None, run_key=f"run-{run.pk}")
    except ApplicationError as exc:
        run.outcome, run.error = Run.Outcome.FAILED, exc.message[:500]
    except Exception as exc:  # one broken rule must not stop the others nor the sweep
        logger.exception("Rule %s on %s failed", rule.pk, ticket.reference)
        run.outcome, run.error = Run.Outcome.FAILED, str(exc)[:500]
    else:
        run.changes = applied.applied
        if not applied.applied:
            run.outcome = Run.Outcome.NO_CHANGE
    finally:
        _chain.reset(token)


def current_chain() -> tuple[int, ...]:
    return _chain.get()


# --- running: time rules ----------------------------------------------------------------------------


def _anchor_expression(since: str) -> Any:
    if since == Rule.Since.PENDING:
        # When the ticket went pending (the SLA clock's pause), else its last change.
        return Coalesce(F("sla_paused_at"), F("updated_at"), output_field=DateTimeField())
    if since == Rule.Since.RESOLVED:
        return ExpressionWrapper(F("resolved_at"), output_field=DateTimeField())
    if since == Rule.Since.CREATED:
        return ExpressionWrapper(F("created_at"), output_field=DateTimeField())
    return ExpressionWrapper(F("updated_at"), output_field=DateTimeField())


SINCE_STATUS = {
    Rule.Since.PENDING: Q(status=Ticket.Status.PENDING),
    Rule.Since.RESOLVED: Q(status=Ticket.Status.RESOLVED),
    Rule.Since.UNCHANGED: Q(status__in=Ticket.OPEN_STATUSES),
    Rule.Since.CREATED: Q(status__in=Ticket.OPEN_STATUSES),
}


def time_rule_due_qs(rule: Rule | RuleDraft, now: datetime) -> QuerySet[Ticket]:
    """Every ticket the time rule is due for at ``now`` and has not handled for this anchor: one query."""
    qs = Ticket.objects.filter(SINCE_STATUS[rule.since]).annotate(rule_anchor=_anchor_expression(rule.since))
    qs = qs.filter(rule_anchor__lte=now - timedelta(hours=rule.hours or 0)).filter(
        conditions_q(rule.conditions)
    )
    if rule.pk:
        done = Run.objects.filter(rule_id=rule.pk, ticket_id=OuterRef("pk"), anchor=OuterRef("rule_anchor"))
        qs = qs.annotate(done=Exists(done)).filter(done=False)
    return qs


def rules_time_sweep(
    *, now: datetime | None = None, batch_size: int = SWEEP_BATCH_SIZE, set_based: bool | None = None
) -> dict[int, int]:
    """Fire every active time rule for the tickets due now, once per ticket and anchor; {rule id: fired}.

    One query per rule finds the due tickets' ids (over the status index: no ORDER BY … LIMIT, which
    would walk the primary key of a million tickets); they are then locked and handled in pk order, in
    batches of ``batch_size``, each batch one transaction. A rule of field, tag and note actions fires
    set-based (``_time_batch_bulk``), any other ticket by ticket; ``set_based`` False forces the latter
    (the tests compare the two)."""
    now = now or timezone.now()
    counts: dict[int, int] = {}
    for rule in Rule.objects.filter(active=True, trigger=Rule.Trigger.TIME).order_by("position", "id"):
        counts[rule.pk] = 0
        if not time_conditions_hold(rule.conditions, now):
            continue  # e.g. "outside business hours" while the office is open: the next sweep will see
        ids = sorted(time_rule_due_qs(rule, now).order_by().values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            counts[rule.pk] += _time_batch(rule, ids[start : start + batch_size], now, set_based=set_based)
    return counts


# The actions a time rule can apply set-based, a whole batch at once (``_time_batch_bulk``); a rule with
# any other action (a reply, an escalation, mail, a webhook) fires ticket by ticket through ``_apply_run``.
BULK_ACTION_TYPES = frozenset({*FIELD_ACTIONS, "add_tags", "remove_tags", "note"})


def rule_set_based(rule: Rule) -> bool:
    """Whether the sweep fires ``rule`` set-based (every action one of ``BULK_ACTION_TYPES``)."""
    return all(a["type"] in BULK_ACTION_TYPES for a in rule.actions)


@transaction.atomic
def _time_batch(rule: Rule, ids: list[int], now: datetime, *, set_based: bool | None = None) -> int:
    # Locked in pk order; rows another sweep (or an agent) holds are skipped, not waited for. The due
    # conditions are asked again under the lock: a ticket changed since the first query drops out.
    tickets = list(
        time_rule_due_qs(rule, now)
        .filter(pk__in=ids)
        .order_by("pk")
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("requester", "team", "assignee")
    )
    if not tickets:
        return 0
    # Claim the batch's log rows in one INSERT; a row a concurrent sweep inserted first wins the unique
    # constraint, and its ticket is left to that sweep.
    marker = timezone.now()
    Run.objects.bulk_create(
        [
            Run(
                ticket_id=t.pk,
                rule=rule,
                name=rule.name,
                anchor=t.rule_anchor,
                outcome=Run.Outcome.APPLIED,
                created_at=marker,
            )  # fmt: skip
            for t in tickets
        ],
        ignore_conflicts=True,
    )
    runs = {
        r.ticket_id: r
        for r in Run.objects.filter(rule=rule, ticket_id__in=[t.pk for t in tickets], created_at=marker)
    }
    todo = [(t, runs[t.pk]) for t in tickets if t.pk in runs and runs[t.pk].anchor == t.rule_anchor]
    set_based = set_based is not False and rule_set_based(rule)
    done = False
    if set_based and todo:
        try:
            with transaction.atomic():
                _time_batch_bulk(rule, todo)
            done = True
        except Exception:  # noqa: BLE001 - retried ticket by ticket, where the failure is logged per ticket
            logger.info("Rule %s: batch failed set-based, going ticket by ticket", rule.pk, exc_info=True)
            fresh = {
                t.pk: t
                for t in Ticket.objects.filter(pk__in=[t.pk for t, _r in todo]).select_related(
                    "requester", "team", "assignee"
                )
            }
            for ticket, run in todo:
                run.outcome, run.error, run.changes = Run.Outcome.APPLIED, "", []
                fresh[ticket.pk].rule_anchor = ticket.rule_anchor  # type: ignore[attr-defined]
            todo = [(fresh[t.pk], run) for t, run in todo]
    if not done:
        for ticket, run in todo:
            _apply_run(rule, ticket, run, ())
    _runs_save(list(runs.values()))
    return sum(r.outcome == Run.Outcome.APPLIED for r in runs.values())


def _runs_save(runs: list[Run]) -> None:
    """The outcomes of a batch's log rows: one UPDATE per distinct outcome (a batch mostly has one)."""
    import json

    groups: dict[tuple[str, str, str], list[int]] = {}
    for run in runs:
        key = (run.outcome, run.error or "", json.dumps(run.changes or [], sort_keys=True))
        groups.setdefault(key, []).append(run.pk)
    for (outcome, error, changes), pks in groups.items():
        Run.objects.filter(pk__in=pks).update(outcome=outcome, error=error, changes=json.loads(changes))


def _time_batch_bulk(rule: Rule, todo: list[tuple[Ticket, Run]]) -> None:
    """``_apply_run`` for a whole batch of locked tickets at once, with the same result ticket by ticket:
    the field and tag actions staged in memory by the rules of ``ticket_update``
    (``ticket_changes_stage``) and saved with one UPDATE per distinct set of values and one INSERT of
    their events (``tickets_flush_many``); each note one INSERT of messages, one UPDATE of the tickets and
    one INSERT of events. The events go out through ``event_record_bulk`` (``event_recorded`` per event,
    so the SLA clock, notifications, webhooks and event rules see each change, the latter with this
    rule in the chain: loop protection as one by one). A ticket the actions cannot take (a team of
    another tier, a transition not allowed) gets its run FAILED with the reason and is left alone, as its
    rolled-back savepoint would; any other error raises (the caller goes ticket by ticket)."""
    from accounts.models import Team, User
    from tickets import services as core
    from tickets.events import event_record_bulk
    from tickets.models import Category, Tag

    from .actions import placeholders_render

    token = _chain.set((rule.pk,))
    try:
        values: dict[str, Any] = {}
        used: list[dict] = []
        tag_ops: list[tuple[str, set[str]]] = []
        for action in rule.actions:
            kind = action["type"]
            if kind in FIELD_ACTIONS:
                value = action.get("value")
                if kind == "set_assignee":
                    value = User.objects.get(pk=value) if value else None
                elif kind == "set_team":
                    value = Team.objects.get(pk=value)
                elif kind == "set_category":
                    value = Category.objects.get(pk=value)
                values[FIELD_ACTIONS[kind]] = value
                used.append(action)
            elif kind in ("add_tags", "remove_tags"):
                tag_ops.append((kind, set(action["value"])))
                used.append(action)
        notes = [a for a in rule.actions if a["type"] == "note"]
        applied: dict[int, list[dict]] = {t.pk: [] for t, _r in todo}
        live: list[tuple[Ticket, Run]] = []
        staged: list[tuple[Ticket, list[str]]] = []
        if used:
            through = Ticket.tags.through
            current: dict[int, set[str]] = {t.pk: set() for t, _r in todo}
            if tag_ops:
                for ticket_id, name in through.objects.filter(ticket_id__in=list(current)).values_list(
                    "ticket_id", "tag__name"
                ):
                    current[ticket_id].add(name)
            new_tags: dict[int, set[str]] = {}
            for ticket, run in todo:
                ticket._pending_events = []  # type: ignore[attr-defined]
                try:  # in memory only (no tags given): nothing to roll back when it refuses
                    fields = core.ticket_changes_stage(ticket, by=None, **values) if values else []
                except ApplicationError as exc:
                    run.outcome, run.error = Run.Outcome.FAILED, exc.message[:500]
                    continue
                if tag_ops:
                    tags = set(current[ticket.pk])
                    for kind, names in tag_ops:
                        tags = tags | names if kind == "add_tags" else tags - names
                    if tags != current[ticket.pk]:
                        new_tags[ticket.pk] = tags
                        fields.append("updated_at")
                        ticket._pending_events.append(  # type: ignore[attr-defined]
                            (K.TAGS, "tags", ", ".join(sorted(current[ticket.pk])), ", ".join(sorted(tags)))
                        )
                live.append((ticket, run))
                if fields:
                    staged.append((ticket, fields))
                    applied[ticket.pk].extend(used)
            if new_tags:
                wanted = set().union(*new_tags.values())
                Tag.objects.bulk_create([Tag(name=n) for n in sorted(wanted)], ignore_conflicts=True)
                names = wanted | {n for pk in new_tags for n in current[pk]}
                tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
                # Removed tags: one DELETE per distinct set removed (a rule removes the same ones everywhere).
                removals: dict[frozenset[int], list[int]] = {}
                for pk, tags in new_tags.items():
                    if gone := frozenset(tag_ids[n] for n in current[pk] - tags):
                        removals.setdefault(gone, []).append(pk)
                for gone, pks in removals.items():
                    through.objects.filter(ticket_id__in=pks, tag_id__in=gone).delete()
                through.objects.bulk_create(
                    [
                        through(ticket_id=pk, tag_id=tag_ids[name])
                        for pk, tags in new_tags.items()
                        for name in sorted(tags - current[pk])
                    ],
                    ignore_conflicts=True,
                )
            core.tickets_flush_many(staged=staged, by=None)
        else:
            live = list(todo)
        for action in notes:
            if not live:
                break
            messages = Message.objects.bulk_create(
                [
                    Message(
                        ticket=ticket,
                        author=None,
                        body=placeholders_render(action["body"], ticket=ticket, actor=None),
                        internal=True,
                        by_agent=True,
                        system=True,
                    )
                    for ticket, _run in live
                ]
            )
            moment = timezone.now()
            Ticket.objects.filter(pk__in=[t.pk for t, _r in live]).update(
                version=F("version") + 1, updated_at=moment
            )
            for ticket, _run in live:
                ticket.version += 1
                ticket.updated_at = moment
                applied[ticket.pk].append(action)
            event_record_bulk(
                entries=[
                    (ticket, {"kind": K.NOTE, "data": {"message": message.pk, "system": True}})
                    for (ticket, _run), message in zip(live, messages, strict=True)
                ],
                actor=None,
            )
        for ticket, run in live:
            run.changes = applied[ticket.pk]
            if not run.changes:
                run.outcome = Run.Outcome.NO_CHANGE
    finally:
        _chain.reset(token)


# --- dry run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DryRunHit:
    ticket: Ticket
    at: datetime  # when the rule would have fired (the event's time; for time rules: now)


def rule_dry_run(draft: RuleDraft | Rule, *, now: datetime | None = None) -> tuple[list[DryRunHit], int]:
    """Which recent tickets the rule would have touched (newest first, at most ``DRY_RUN_LIMIT``), and how
    many in all. Changes nothing. Event rules: the events of the last ``DRY_RUN_DAYS`` days that start it,
    with the conditions checked on the tickets as they are now (business hours at the event's time).
    Time rules: exactly what the next sweep would touch."""
    now = now or timezone.now()
    related = ("requester", "team", "assignee")
    if draft.trigger == Rule.Trigger.TIME:
        if not time_conditions_hold(draft.conditions, now):
            return [], 0
        qs = time_rule_due_qs(draft, now)
        hits = [DryRunHit(t, now) for t in qs.select_related(*related).order_by("-pk")[:DRY_RUN_LIMIT]]
        return hits, qs.count()
    since = now - timedelta(days=DRY_RUN_DAYS)
    if draft.trigger == Rule.Trigger.CUSTOMER_REPLIED:
        moments = Message.objects.filter(
            created_at__gte=since, by_agent=False, system=False, internal=False
        ).values_list("ticket_id", "created_at")
    else:
        moments = TicketEvent.objects.filter(
            created_at__gte=since, kind__in=TRIGGER_KINDS[draft.trigger]
        ).values_list("ticket_id", "created_at")
    latest: dict[int, datetime] = {}
    schedules: dict = {}
    for ticket_id, at in moments.order_by("-created_at")[:5000]:
        if ticket_id not in latest and time_conditions_hold(draft.conditions, at, schedules):
            latest[ticket_id] = at
    qs = Ticket.objects.filter(conditions_q(draft.conditions), pk__in=list(latest))
    tickets = sorted(qs.select_related(*related), key=lambda t: latest[t.pk], reverse=True)
    return [DryRunHit(t, latest[t.pk]) for t in tickets[:DRY_RUN_LIMIT]], len(tickets)

"""Writes of the escalation app: escalate, accept, decline, de-escalate, consult, route, configure.

Every write that changes a ticket takes the ticket's row lock first (``tickets.services._locked``),
then any lock of this app's rows, always in that order, so two writers cannot deadlock.
The ticket's tier, team, assignee and counters change only here and in the core's services.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from audit.services import audit_queryset_update
from helpdesk.errors import ApplicationError, ConflictError
from tickets import services as core
from tickets.events import event_record
from tickets.models import Category, EscalationPath, Message, Ticket, TicketEvent

from . import kb
from .models import Consult, Deescalation, Escalation, TeamRoutingState

K = TicketEvent.Kind
CLOSED_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)

# A handoff text must say something: at least this many characters and words.
MIN_HANDOFF_CHARS = 15
MIN_HANDOFF_WORDS = 3

HANDOFF_REQUIRED = gettext_lazy("Required: the next level must not have to ask.")
HANDOFF_TOO_SHORT = gettext_lazy(
    "Too short: write at least %(chars)d characters and %(words)d words, so the next level needs to ask nothing."
)
ESCALATE_TOP_TIER = gettext_lazy("This ticket is already at tier 3; it cannot be escalated further.")
ESCALATE_NOT_OPEN = gettext_lazy("A resolved or closed ticket cannot be escalated.")
ESCALATE_STALE_TIER = gettext_lazy(
    "This ticket is no longer at tier %(expected)s (it is at tier %(actual)s): someone escalated it already."
)
ESCALATE_BAD_TIER = gettext_lazy("Choose a higher tier than the ticket's current one (at most 3).")
TEAM_WRONG_TIER = gettext_lazy("That team works at another tier.")
NO_TEAM_FOR_TIER = gettext_lazy("No team takes this category at tier %(tier)s; configure an escalation path.")
ESCALATION_NOT_PENDING = gettext_lazy("This escalation is no longer pending (it is %(status)s).")
ESCALATION_TICKET_MOVED = gettext_lazy("The ticket has moved on since this escalation.")
NOT_IN_RECEIVING_TEAM = gettext_lazy("Only members of the receiving team can do this.")
DECLINE_REASON_REQUIRED = gettext_lazy("Say why, so the sending team can fix it.")
NOT_IN_HOLDING_TEAM = gettext_lazy("Only the team that holds the ticket can return it to a lower tier.")
DEESCALATE_BAD_TIER = gettext_lazy("Choose a lower tier than the ticket's current one.")
DEESCALATE_NOT_OPEN = gettext_lazy("A resolved or closed ticket cannot be de-escalated.")
CONSULT_QUESTION_REQUIRED = gettext_lazy("Ask a question.")
CONSULT_ANSWER_REQUIRED = gettext_lazy("Write an answer.")
CONSULT_TEAM_TIER = gettext_lazy("Consult a team of a higher tier than the ticket's.")
CONSULT_NOT_OPEN = gettext_lazy("This consult has been answered already.")
CONSULT_TICKET_CLOSED = gettext_lazy("A closed ticket cannot get a consult.")
CONSULT_NOT_IN_TEAM = gettext_lazy("Only members of the consulted team can answer.")
CONSULT_ALREADY_ESCALATED = gettext_lazy("This consult was turned into an escalation already.")

# How the ``consult`` events' values read in the timeline ("Consult: question asked").
CONSULT_EVENT_VALUES = (
    ("asked", gettext_lazy("question asked")),
    ("answered", gettext_lazy("answered")),
)

# The public update to the customer, in the ticket's language (never the handoff's text).
CUSTOMER_ESCALATED_MESSAGE = gettext_lazy(
    "Your request %(reference)s has been passed to a specialist team. "
    "They have everything you told us so far, so you will not need to repeat anything. "
    "We will keep you informed."
)


class HandoffIncomplete(ApplicationError):
    """400 with one error list per named field (``{"summary": [...], "steps_taken": [...]}``)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first][0], field=first)
        self.errors = errors

    def as_dict(self) -> dict[str, object]:
        return dict(self.errors)


# --- helpers ---------------------------------------------------------------------------------------


def _is_member(user: Any, team: Team | None) -> bool:
    if user is None or team is None:
        return False
    if getattr(user, "is_supervisor", False):
        return True
    return user.teams.filter(pk=team.pk).exists()


def _is_token(text: str) -> bool:
    text = (text or "").strip()
    return len(text) < MIN_HANDOFF_CHARS or len(text.split()) < MIN_HANDOFF_WORDS


def _text_errors(**fields: str) -> dict[str, list[str]]:
    """Field errors for texts that are required and must be more than a token."""
    errors: dict[str, list[str]] = {}
    for name, value in fields.items():
        if not (value or "").strip():
            errors[name] = [str(HANDOFF_REQUIRED)]
        elif _is_token(value):
            errors[name] = [str(HANDOFF_TOO_SHORT % {"chars": MIN_HANDOFF_CHARS, "words": MIN_HANDOFF_WORDS})]
    return errors


def checklist_steps_text(ticket: Ticket, *, already: str = "") -> str:
    """The checklist steps ticked on the ticket and not yet in ``already``, as lines for "steps taken"."""
    steps = [step for step in kb.ticked_steps(ticket) if step not in already]
    if not steps:
        return ""
    return _("Checklist steps done:") + "\n" + "\n".join(f"- {step}" for step in steps)


def _with_checklist_steps(ticket: Ticket, steps_taken: str) -> str:
    """``steps_taken`` with the ticked checklist steps it does not mention yet added at its end."""
    steps_taken = (steps_taken or "").strip()
    ticked = checklist_steps_text(ticket, already=steps_taken)
    return f"{steps_taken}\n\n{ticked}" if steps_taken and ticked else steps_taken or ticked


def _supersede_pending(ticket: Ticket) -> None:
    Escalation.objects.filter(ticket=ticket, status=Escalation.Status.PENDING).update(
        status=Escalation.Status.SUPERSEDED
    )


def _customer_update(ticket: Ticket) -> Message:
    """A public system message to the customer.

    Written directly (``author=None``, ``by_agent=False``) rather than through ``message_add``: it is
    no agent's response, so it must not set ``first_response_at`` nor count as a public agent reply,
    and no customer wrote it either, so it is no customer follow-up.
    """
    with translation.override(ticket.language or "en"):
        body = str(CUSTOMER_ESCALATED_MESSAGE % {"reference": ticket.reference})
    message = Message.objects.create(
        ticket=ticket, author=None, body=body, internal=False, by_agent=False, system=True
    )
    event_record(ticket=ticket, kind=K.MESSAGE, actor=None, data={"message": message.pk, "system": True})
    return message


def _set_assignee(ticket: Ticket, agent: Any, *, by: Any, data: dict | None = None) -> None:
    """Assign on the (locked) ticket and record it; no status change (routing is not a response)."""
    old = ticket.assignee
    if (old.pk if old else None) == (agent.pk if agent else None):
        return
    ticket.assignee = agent
    core._touch(ticket, ["assignee"])
    event_record(
        ticket=ticket,
        kind=K.ASSIGNEE,
        actor=by,
        field="assignee",
        old=old.username if old else "",
        new=agent.username if agent else "",
        data=data,
    )


# --- routing inside a team ------------------------------------------------------------------------


def team_agents_with_load(*, team: Team) -> list[User]:
    """The team's available agents with ``open_load`` (open tickets assigned to them), in one query."""
    return list(
        User.objects.filter(
            teams=team,
            is_active=True,
            available=True,
            role__in=(User.Role.AGENT, User.Role.SUPERVISOR),
        )
        .annotate(
            open_load=Count(
                "assigned_tickets",
                filter=Q(assigned_tickets__status__in=Ticket.OPEN_STATUSES),
            )
        )
        .order_by("pk")
    )


def team_pick_agent(*, team: Team) -> User | None:
    """Who of ``team`` gets the next ticket, by the team's routing; None for manual or all full.

    Call inside a transaction: the team row stays locked until commit, so two arrivals at the same
    moment are counted and picked one after the other (never both onto the last free slot).
    """
    if team.routing == Team.Routing.MANUAL:
        return None
    # Lock before counting: the next picker's count then sees this pick once it commits.
    Team.objects.select_for_update().filter(pk=team.pk).first()
    candidates = [a for a in team_agents_with_load(team=team) if a.open_load < team.max_open_per_agent]
    if not candidates:
        return None
    if team.routing == Team.Routing.LEAST_LOADED:
        return min(candidates, key=lambda a: (a.open_load, a.pk))
    state, _created = TeamRoutingState.objects.get_or_create(team=team)
    after = [a for a in candidates if state.last_agent_id is not None and a.pk > state.last_agent_id]
    chosen = after[0] if after else candidates[0]
    state.last_agent = chosen
    state.save(update_fields=["last_agent"])
    return chosen


def ticket_route(*, ticket: Ticket, by: Any = None) -> User | None:
    """Assign a ticket that arrived at its team by the team's routing. Call with the ticket locked."""
    if ticket.team is None or ticket.assignee_id is not None or ticket.status in CLOSED_STATUSES:
        return None
    agent = team_pick_agent(team=ticket.team)
    if agent is not None:
        _set_assignee(ticket, agent, by=by, data={"routing": ticket.team.routing})
    return agent


def on_ticket_created(*, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    """``event_recorded`` receiver: route a new ticket inside its team (inside the create's transaction)."""
    if event.kind == K.CREATED and ticket.team is not None and ticket.team.routing != Team.Routing.MANUAL:
        ticket_route(ticket=ticket)


def on_ticket_finished(*, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    """``event_recorded`` receiver: a resolved/closed ticket leaves no pending escalation in a queue."""
    if event.kind in (K.RESOLVED, K.CLOSED):
        _supersede_pending(ticket)


# --- escalate -------------------------------------------------------------------------------------


@transaction.atomic
def ticket_escalate(
    *,
    ticket: Ticket,
    by: Any,
    reason: str,
    summary: str,
    steps_taken: str,
    diagnostics: str = "",
    customer_impact: str = "",
    articles_tried: Iterable[int] = (),
    to_tier: int | None = None,
    team: Team | None = None,
    from_tier: int | None = None,
) -> Escalation:
    """Hand a ticket to a higher tier with its handoff. ``by=None`` is the system (e.g. SLA breach).

    The checklist steps ticked on the ticket join ``steps_taken`` (those it does not mention already).
    Raises ``HandoffIncomplete`` (an ``ApplicationError`` with field errors) for an incomplete handoff,
    ``ApplicationError`` for a ticket that cannot go up, ``ConflictError`` when ``from_tier`` is stale.
    """
    steps_taken = _with_checklist_steps(ticket, steps_taken)
    errors = _text_errors(summary=summary, steps_taken=steps_taken)
    if reason not in Escalation.Reason.values:
        errors["reason"] = [_("Choose a reason.")]
    try:
        articles = sorted({int(a) for a in articles_tried or ()})
    except (TypeError, ValueError):
        errors["articles_tried"] = [_("Give article ids.")]
        articles = []
    if errors:
        raise HandoffIncomplete(errors)

    t = core._locked(ticket)
    if from_tier is not None and t.tier != from_tier:
        raise ConflictError(
            str(ESCALATE_STALE_TIER % {"expected": from_tier, "actual": t.tier}), extra={"tier": t.tier}
        )
    if t.status in CLOSED_STATUSES:
        raise ApplicationError(str(ESCALATE_NOT_OPEN))
    if t.tier >= 3:
        raise ApplicationError(str(ESCALATE_TOP_TIER))
    to_tier = t.tier + 1 if to_tier is None else int(to_tier)
    if not t.tier < to_tier <= 3:
        raise ApplicationError(str(ESCALATE_BAD_TIER), field="to_tier")
    if team is None:
        team = core.route_team(category=t.category, tier=to_tier)
        if team is None:
            raise ApplicationError(str(NO_TEAM_FOR_TIER % {"tier": to_tier}), field="team")
    elif team.tier != to_tier:
        raise ApplicationError(str(TEAM_WRONG_TIER), field="team")

    _supersede_pending(t)
    # Ids, not objects: the locked row carries no related rows, and loading one costs a query.
    old_tier, old_team_id = t.tier, t.team_id
    escalation = Escalation.objects.create(
        ticket=t,
        from_tier=old_tier,
        to_tier=to_tier,
        from_team_id=old_team_id,
        to_team=team,
        reason=reason,
        summary=summary.strip(),
        steps_taken=steps_taken.strip(),
        diagnostics=(diagnostics or "").strip(),
        customer_impact=(customer_impact or "").strip(),
        articles_tried=articles,
        created_by=by if getattr(by, "pk", None) else None,
    )
    t.tier, t.team, t.assignee = to_tier, team, None
    t.escalation_count += 1
    t._pending_events.append((K.ESCALATED, "tier", old_tier, to_tier))  # type: ignore[attr-defined]
    core._flush(
        t,
        by=by,
        fields=["tier", "team", "assignee", "escalation_count"],
        data={"escalation": escalation.pk, "team": team.pk, "from_team": old_team_id},
    )
    _customer_update(t)
    ticket_route(ticket=t)
    escalation.ticket = t
    return escalation


# --- accept / decline -----------------------------------------------------------------------------


def _lock_pending(escalation: Escalation, by: Any) -> tuple[Ticket, Escalation]:
    t = core._locked(escalation.ticket)
    esc = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("to_team", "from_team")
        .get(pk=escalation.pk)
    )
    if esc.status != Escalation.Status.PENDING:
        raise ConflictError(
            str(ESCALATION_NOT_PENDING % {"status": esc.get_status_display()}), extra={"status": esc.status}
        )
    if not _is_member(by, esc.to_team):
        raise PermissionDenied(str(NOT_IN_RECEIVING_TEAM))
    if t.tier != esc.to_tier or t.team_id != esc.to_team_id:
        raise ConflictError(str(ESCALATION_TICKET_MOVED))
    return t, esc


@transaction.atomic
def escalation_accept(*, escalation: Escalation, by: Any) -> Escalation:
    """A member of the receiving team takes the ticket: assigned to them, time-to-accept recorded."""
    t, esc = _lock_pending(escalation, by)
    now = timezone.now()
    esc.status = Escalation.Status.ACCEPTED
    esc.accepted_by = by
    esc.accepted_at = now
    esc.time_to_accept = max(now - esc.created_at, timedelta(0))
    esc.save(update_fields=["status", "accepted_by", "accepted_at", "time_to_accept"])
    t = core.ticket_update(ticket=t, by=by, assignee=by)
    event_record(
        ticket=t,
        kind=K.ESCALATION_ACCEPTED,
        actor=by,
        data={"escalation": esc.pk, "time_to_accept_seconds": int(esc.time_to_accept.total_seconds())},
    )
    esc.ticket = t
    return esc


@transaction.atomic
def escalation_decline(*, escalation: Escalation, by: Any, reason: str) -> Escalation:
    """Send an escalation back: the ticket returns to the sending tier and team, with the reason.

    The bounce is counted as the escalation's status ``declined`` (aggregate by status).
    """
    if not (reason or "").strip():
        raise ApplicationError(str(DECLINE_REASON_REQUIRED), field="reason")
    t, esc = _lock_pending(escalation, by)
    now = timezone.now()
    esc.status = Escalation.Status.DECLINED
    esc.declined_by = by
    esc.declined_at = now
    esc.decline_reason = reason.strip()
    esc.save(update_fields=["status", "declined_by", "declined_at", "decline_reason"])

    # Back to whoever handed it over, if they still work in the sending team.
    sender = esc.created_by
    back_to = sender if sender is not None and esc.from_team and _is_member(sender, esc.from_team) else None
    old_tier = t.tier
    t.tier, t.team, t.assignee = esc.from_tier, esc.from_team, back_to
    t._pending_events.append((K.ESCALATION_DECLINED, "tier", old_tier, esc.from_tier))  # type: ignore[attr-defined]
    core._flush(
        t,
        by=by,
        fields=["tier", "team", "assignee"],
        data={"escalation": esc.pk, "team": esc.from_team_id, "reason": esc.decline_reason[:500]},
    )
    core.message_add(
        ticket=t,
        author=by,
        internal=True,
        body=_("Escalation declined by %(team)s: %(reason)s")
        % {"team": esc.to_team.name if esc.to_team else "?", "reason": esc.decline_reason},
    )
    if back_to is None:
        t.refresh_from_db()
        ticket_route(ticket=t)
    return esc


# --- de-escalate ----------------------------------------------------------------------------------


@transaction.atomic
def ticket_deescalate(
    *, ticket: Ticket, by: Any, instructions: str, to_tier: int | None = None, team: Team | None = None
) -> Deescalation:
    """Return a ticket to a lower tier with instructions (required, more than a token)."""
    errors = _text_errors(instructions=instructions)
    if errors:
        raise HandoffIncomplete(errors)
    t = core._locked(ticket)
    # Only the tier that holds the ticket hands it down: its team, its assignee, or a supervisor.
    if t.team_id is not None and t.assignee_id != getattr(by, "pk", None) and not _is_member(by, t.team):
        raise PermissionDenied(str(NOT_IN_HOLDING_TEAM))
    if t.status in CLOSED_STATUSES:
        raise ApplicationError(str(DEESCALATE_NOT_OPEN))
    to_tier = t.tier - 1 if to_tier is None else int(to_tier)
    if not 1 <= to_tier < t.tier:
        raise ApplicationError(str(DEESCALATE_BAD_TIER), field="to_tier")

    # Back to the team (and agent) that handed it up from that tier, else the category's path.
    handed_up = (
        Escalation.objects.filter(ticket=t, from_tier=to_tier)
        .select_related("from_team", "created_by")
        .order_by("-id")
        .first()
    )
    if team is not None and team.tier != to_tier:
        raise ApplicationError(str(TEAM_WRONG_TIER), field="team")
    if team is None:
        team = (handed_up.from_team if handed_up else None) or core.route_team(
            category=t.category, tier=to_tier
        )
    sender = handed_up.created_by if handed_up else None
    back_to = sender if sender is not None and team is not None and _is_member(sender, team) else None

    _supersede_pending(t)
    old_tier, old_team_id = t.tier, t.team_id
    de = Deescalation.objects.create(
        ticket=t,
        from_tier=old_tier,
        to_tier=to_tier,
        from_team_id=old_team_id,
        to_team=team,
        instructions=instructions.strip(),
        by=by,
    )
    t.tier, t.team, t.assignee = to_tier, team, back_to
    t.deescalation_count += 1
    t._pending_events.append((K.DEESCALATED, "tier", old_tier, to_tier))  # type: ignore[attr-defined]
    core._flush(
        t,
        by=by,
        fields=["tier", "team", "assignee", "deescalation_count"],
        data={"deescalation": de.pk, "team": team.pk if team else None},
    )
    core.message_add(
        ticket=t,
        author=by,
        internal=True,
        body=_("Returned to tier %(tier)s with instructions: %(instructions)s")
        % {"tier": to_tier, "instructions": de.instructions},
    )
    if back_to is None:
        t.refresh_from_db()
        ticket_route(ticket=t)
    de.ticket = t
    return de


# --- consults -------------------------------------------------------------------------------------


@transaction.atomic
def consult_create(*, ticket: Ticket, by: Any, team: Team, question: str) -> Consult:
    """Ask a higher tier's team for advice; the asker keeps the ticket."""
    if not (question or "").strip():
        raise ApplicationError(str(CONSULT_QUESTION_REQUIRED), field="question")
    t = core._locked(ticket)
    if t.status == Ticket.Status.CLOSED:
        raise ApplicationError(str(CONSULT_TICKET_CLOSED))
    if team.tier <= t.tier:
        raise ApplicationError(str(CONSULT_TEAM_TIER), field="team")
    consult = Consult.objects.create(ticket=t, team=team, question=question.strip(), asked_by=by)
    event_record(
        ticket=t,
        kind=K.CONSULT,
        actor=by,
        new="asked",
        data={"consult": consult.pk, "team": team.pk},
    )
    return consult


@transaction.atomic
def consult_answer(*, consult: Consult, by: Any, answer: str) -> Consult:
    """A member of the consulted team answers; the answer lands on the ticket as an internal note."""
    if not (answer or "").strip():
        raise ApplicationError(str(CONSULT_ANSWER_REQUIRED), field="answer")
    t = core._locked(consult.ticket)
    c = Consult.objects.select_for_update(of=("self",)).select_related("team").get(pk=consult.pk)
    if c.status != Consult.Status.OPEN:
        raise ConflictError(str(CONSULT_NOT_OPEN))
    if not _is_member(by, c.team):
        raise PermissionDenied(str(CONSULT_NOT_IN_TEAM))
    c.status = Consult.Status.ANSWERED
    c.answer = answer.strip()
    c.answered_by = by
    c.answered_at = timezone.now()
    c.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    core.message_add(
        ticket=t,
        author=by,
        internal=True,
        body=_("Consult answered by %(team)s.\nQuestion: %(question)s\nAnswer: %(answer)s")
        % {"team": c.team.name, "question": c.question, "answer": c.answer},
    )
    event_record(
        ticket=t, kind=K.CONSULT, actor=by, new="answered", data={"consult": c.pk, "team": c.team_id}
    )
    return c


def consult_handoff_prefill(*, consult: Consult) -> dict[str, Any]:
    """The handoff a consult already holds, so turning it into an escalation needs no retyping."""
    summary = consult.question
    steps = _("Consulted %(team)s: %(question)s") % {"team": consult.team.name, "question": consult.question}
    if consult.answer:
        summary = f"{consult.question}\n\n" + _("Answer from %(team)s: %(answer)s") % {
            "team": consult.team.name,
            "answer": consult.answer,
        }
        steps += "\n" + _("Their answer: %(answer)s") % {"answer": consult.answer}
    return {"summary": summary, "steps_taken": steps, "reason": Escalation.Reason.NEEDS_EXPERTISE}


@transaction.atomic
def consult_escalate(
    *,
    consult: Consult,
    by: Any,
    reason: str | None = None,
    summary: str | None = None,
    steps_taken: str | None = None,
    diagnostics: str = "",
    customer_impact: str = "",
    articles_tried: Iterable[int] = (),
    team: Team | None = None,
    from_tier: int | None = None,
) -> Escalation:
    """Turn a consult into a full escalation to the consulted team; the handoff is prefilled."""
    c = Consult.objects.select_related("team", "ticket").get(pk=consult.pk)
    if c.escalation_id is not None:
        raise ConflictError(str(CONSULT_ALREADY_ESCALATED))
    prefill = consult_handoff_prefill(consult=c)
    team = team or c.team
    escalation = ticket_escalate(
        ticket=c.ticket,
        by=by,
        reason=reason or prefill["reason"],
        summary=summary if summary else prefill["summary"],
        steps_taken=steps_taken if steps_taken else prefill["steps_taken"],
        diagnostics=diagnostics,
        customer_impact=customer_impact,
        articles_tried=articles_tried,
        to_tier=team.tier,
        team=team,
        from_tier=from_tier,
    )
    # The ticket lock taken by ticket_escalate serialises this update per ticket.
    updated = Consult.objects.filter(pk=c.pk, escalation__isnull=True).update(escalation=escalation)
    if updated != 1:
        raise ConflictError(str(CONSULT_ALREADY_ESCALATED))
    return escalation


# --- supervisor configuration ----------------------------------------------------------------------


@transaction.atomic
def escalation_path_set(*, category: Category, tier: int, team: Team | None) -> EscalationPath | None:
    """Which team takes ``category`` at ``tier``; None removes the path (the tier's default applies)."""
    if team is None:
        EscalationPath.objects.filter(category=category, tier=tier).delete()
        return None
    if team.tier != tier:
        raise ApplicationError(str(TEAM_WRONG_TIER), field="team")
    path, _created = EscalationPath.objects.update_or_create(
        category=category, tier=tier, defaults={"team": team}
    )
    return path


@transaction.atomic
def team_default_set(*, tier: int, team: Team | None) -> None:
    """Make ``team`` the default of its tier (None: no default)."""
    if team is not None and team.tier != tier:
        raise ApplicationError(str(TEAM_WRONG_TIER), field="team")
    # Clear first: one default per tier is a unique constraint.
    # UPDATEs send no signals: recorded in the audit log here (issue #14).
    audit_queryset_update(
        Team.objects.filter(tier=tier, is_default_for_tier=True).exclude(pk=getattr(team, "pk", None)),
        is_default_for_tier=False,
    )
    if team is not None and not team.is_default_for_tier:
        audit_queryset_update(Team.objects.filter(pk=team.pk), is_default_for_tier=True)


@transaction.atomic
def team_routing_set(*, team: Team, routing: str, max_open_per_agent: int) -> Team:
    if routing not in Team.Routing.values:
        raise ApplicationError(_("Choose a routing."), field="routing")
    if int(max_open_per_agent) < 1:
        raise ApplicationError(_("At least 1."), field="max_open_per_agent")
    team.routing = routing
    team.max_open_per_agent = int(max_open_per_agent)
    team.save(update_fields=["routing", "max_open_per_agent"])
    return team

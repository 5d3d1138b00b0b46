"""Bulk actions: one action applied to many tickets, ticket by ticket, as if an agent did each by hand.

**The registry.** An action is a ``BulkAction`` in ``bulk_actions`` (by name)::

    from tickets.bulk import BulkAction, bulk_action_register

    class MacroParams(serializers.Serializer):
        macro = serializers.PrimaryKeyRelatedField(queryset=Macro.objects.all())

    def apply_macro_bulk(ticket, actor, params):      # the ticket is locked; return None or a skip reason
        apply_macro(ticket, params["macro"], actor)

    bulk_action_register(BulkAction("macro", _("Apply macro"), MacroParams, apply_macro_bulk))

from the other app's ``AppConfig.ready()`` (with ``template=`` naming its fields for the queue's
selection bar: inputs named ``p_<param>``, e.g. ``<select name="p_macro">``). ``params`` is a DRF
serializer class: it validates the raw parameters (the API's ``params``, the browser form's fields) and ``apply`` gets its
``validated_data``. A job stores the *raw* parameters and validates them again in the worker, so an
action's params must be JSON (ids, not objects). ``apply(ticket, actor, params)`` runs with the
ticket row locked (``select_for_update``) inside a savepoint; it calls the ticket services (which
record the events and so, through ``event_recorded``, the notifications — exactly as one by one),
and returns ``None`` when it changed the ticket or a ``Skip`` (a code and a reason the summary
shows) when it left it alone. An ``ApplicationError`` it raises is reported as that ticket's
failure; the savepoint is rolled back and the other tickets go on. ``locks(params)`` names further
tickets to lock with each chunk (the merge target), so every lock is taken in pk order.
``after_chunk(changed, actor, params)`` runs once per chunk after them (the bulk merge tells each
customer once there). ``stage`` is an optional set-based variant of ``apply`` (the built-in field and
status actions have one): it applies the ticket services' rules in memory
(``services.ticket_changes_stage``), and the runner saves the whole chunk with one UPDATE per distinct
set of new values and one INSERT of events (``services.tickets_flush_many``, which still sends
``event_recorded`` per event, so every receiver sees each change; the notifications app writes the
chunk's mails at once, see ``tickets.events.event_batch_recorded``). When anything in a staged chunk
fails, its savepoint is rolled back and the chunk goes ticket by ticket through ``apply``.

**Running.** ``bulk_run`` applies an action to ids the actor may see: chunks of ``BULK_CHUNK``
tickets, one transaction per chunk, rows locked in pk order (two bulk runs, or a bulk run and an
agent's reply, wait for each other instead of deadlocking), one savepoint per ticket (or per staged
chunk). Up to
``BULK_INLINE_MAX`` tickets run inline in the request (the answer is the summary); more become a
``BulkJob`` that a worker runs (``tasks.bulk_job_run``, enqueued on commit; idempotent: ``done``
commits with each chunk, so a redelivered task continues after the last chunk, and the job row is
locked while a chunk runs). Its page polls until it is done. Why 100 inline: a chunk of 100 takes
well under a second even ticket by ticket, so the agent waits no longer than for a page.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework import serializers

from accounts.models import Team, User
from helpdesk.errors import ApplicationError

from . import merge, services
from .models import BulkJob, Category, Priority, Ticket

logger = logging.getLogger(__name__)

# Tickets per transaction: row locks are held for a fraction of a second, and a chunk's events and
# outbox rows stay a small transaction.
BULK_CHUNK = 200
# Up to this many tickets the request waits for the result; more run in a worker (a BulkJob).
BULK_INLINE_MAX = getattr(settings, "HELPDESK_BULK_INLINE_MAX", 100)
# The largest selection one bulk action takes ("all matching" beyond it is refused with the count).
BULK_MAX = 50_000

Status = Ticket.Status


@dataclass(frozen=True)
class Skip:
    code: str
    reason: str


@dataclass(frozen=True)
class BulkAction:
    name: str
    label: Any  # a lazy translation
    params: type[serializers.Serializer]
    apply: Callable[[Ticket, Any, dict], Skip | None]
    locks: Callable[[dict], list[int]] = field(default=lambda params: [])
    order: int = 100
    # Optional set-based variant of ``apply``: changes the locked ticket in memory only
    # (``services.ticket_changes_stage``) and returns the changed fields or a Skip; the runner then
    # saves the whole chunk with one UPDATE and one INSERT of events (``services.tickets_flush_many``).
    stage: Callable[[Ticket, Any, dict], Skip | list[str]] | None = None
    # The action's parameter fields in the queue's selection bar (``p_<param>`` inputs), e.g.
    # "macros/_bulk_fields.html"; the built-in actions have theirs in tickets/_bulk_bar.html.
    template: str = ""
    # Called once per chunk, in its transaction, with the tickets ``apply`` changed (the bulk merge tells
    # each customer once for the whole chunk instead of once per ticket).
    after_chunk: Callable[[list[Ticket], Any, dict], None] | None = None


bulk_actions: dict[str, BulkAction] = {}


def bulk_action_register(action: BulkAction) -> BulkAction:
    bulk_actions[action.name] = action
    return action


# --- placeholders ---------------------------------------------------------------------------------

PLACEHOLDERS = {
    "requester_name": gettext_lazy("the requester's full name"),
    "requester_first_name": gettext_lazy("the requester's first name"),
    "reference": gettext_lazy("the ticket's reference, e.g. HD-000123"),
    "subject": gettext_lazy("the ticket's subject"),
    "agent_name": gettext_lazy("your full name"),
}
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")


def placeholders_check(text: str) -> None:
    unknown = sorted({m for m in _PLACEHOLDER_RE.findall(text) if m not in PLACEHOLDERS})
    if unknown:
        raise serializers.ValidationError(
            _("Unknown placeholder %(names)s. Use %(known)s.")
            % {
                "names": ", ".join(f"{{{n}}}" for n in unknown),
                "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
            }
        )


def placeholders_render(text: str, *, ticket: Ticket, actor: Any) -> str:
    """``text`` with each ``{name}`` replaced by its value as plain text (never a template: a subject
    cannot inject anything; the message body is escaped or sanitised wherever it is shown)."""
    requester = ticket.requester
    values = {
        "requester_name": requester.get_full_name() or requester.username,
        "requester_first_name": requester.first_name or requester.get_full_name() or requester.username,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "agent_name": (actor.get_full_name() or actor.username) if actor else "",
    }
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


# --- the actions ----------------------------------------------------------------------------------

SKIP_CLOSED = "closed"
SKIP_UNCHANGED = "unchanged"
SKIP_REASONS = {
    SKIP_CLOSED: gettext_lazy("closed"),
    SKIP_UNCHANGED: gettext_lazy("already set"),
    "not_found": gettext_lazy("not found"),
    "other_tier": gettext_lazy("team of another tier"),
    "target": gettext_lazy("the merge target itself"),
    "other_customer": gettext_lazy("another customer"),
}


def _skip(code: str) -> Skip:
    return Skip(code, str(SKIP_REASONS.get(code, code)))


def _closed(ticket: Ticket) -> bool:
    return ticket.status == Status.CLOSED


class StatusParams(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s for s in Status.choices if s[0] != Status.NEW])
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate(self, attrs: dict) -> dict:
        if attrs["status"] == Status.RESOLVED and not attrs.get("resolution", "").strip():
            raise serializers.ValidationError({"resolution": [_(services.RESOLUTION_REQUIRED)]})
        return attrs


def _status_skip(ticket: Ticket, params: dict) -> Skip | None:
    if ticket.status == params["status"]:
        return _skip(SKIP_UNCHANGED)
    if _closed(ticket):
        return _skip(SKIP_CLOSED)
    return None


def _stage_status(ticket: Ticket, actor: Any, params: dict) -> Skip | list[str]:
    if skip := _status_skip(ticket, params):
        return skip
    if params["status"] != Status.RESOLVED:
        return services.ticket_changes_stage(ticket, by=actor, status=params["status"])
    fields: list[str] = ["resolution"]
    services._set_status(ticket, Status.RESOLVED, by=actor, fields=fields)
    ticket.resolution = params["resolution"].strip()
    return fields


def _apply_status(ticket: Ticket, actor: Any, params: dict) -> Skip | None:
    new = params["status"]
    if skip := _status_skip(ticket, params):
        return skip
    if new == Status.RESOLVED:
        services.ticket_resolve(ticket=ticket, by=actor, resolution=params["resolution"])
    elif new == Status.CLOSED:
        services.ticket_close(ticket=ticket, by=actor)
    elif ticket.status == Status.RESOLVED and new == Status.OPEN:
        services.ticket_reopen(ticket=ticket, by=actor)
    else:
        services.ticket_update(ticket=ticket, by=actor, status=new)
    return None


def _field_skip(name: str, ticket: Ticket, value: Any) -> Skip | None:
    is_relation = name in ("team", "assignee", "category")
    current = getattr(ticket, f"{name}_id" if is_relation else name)
    if current == (getattr(value, "pk", None) if is_relation else value):
        return _skip(SKIP_UNCHANGED)
    if _closed(ticket):
        return _skip(SKIP_CLOSED)
    if name == "team" and value is not None and value.tier != ticket.tier:
        return _skip("other_tier")
    return None


def _field_action(name: str) -> Callable[[Ticket, Any, dict], Skip | None]:
    def apply(ticket: Ticket, actor: Any, params: dict) -> Skip | None:
        if skip := _field_skip(name, ticket, params[name]):
            return skip
        services.ticket_update(ticket=ticket, by=actor, **{name: params[name]})
        return None

    return apply


def _field_stage(name: str) -> Callable[[Ticket, Any, dict], Skip | list[str]]:
    def stage(ticket: Ticket, actor: Any, params: dict) -> Skip | list[str]:
        if skip := _field_skip(name, ticket, params[name]):
            return skip
        return services.ticket_changes_stage(ticket, by=actor, **{name: params[name]})

    return stage


class PriorityParams(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)


class AssigneeParams(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=[User.Role.AGENT, User.Role.SUPERVISOR], is_active=True),
        allow_null=True,
    )


class TeamParams(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())


class CategoryParams(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), allow_null=True)


class TagsParams(serializers.Serializer):
    add = serializers.ListField(child=serializers.SlugField(max_length=50), required=False, default=list)
    remove = serializers.ListField(child=serializers.SlugField(max_length=50), required=False, default=list)

    def validate(self, attrs: dict) -> dict:
        attrs["add"] = sorted({t.lower() for t in attrs["add"]})
        attrs["remove"] = sorted({t.lower() for t in attrs["remove"]})
        if not attrs["add"] and not attrs["remove"]:
            raise serializers.ValidationError({"add": [_("Name tags to add or to remove.")]})
        return attrs


def _apply_tags(ticket: Ticket, actor: Any, params: dict) -> Skip | None:
    current = set(ticket.tags.values_list("name", flat=True))
    wanted = (current | set(params["add"])) - set(params["remove"])
    if wanted == current:
        return _skip(SKIP_UNCHANGED)
    if _closed(ticket):
        return _skip(SKIP_CLOSED)
    services.ticket_update(ticket=ticket, by=actor, tags=sorted(wanted))
    return None


class MessageParams(serializers.Serializer):
    body = serializers.CharField(max_length=settings.HELPDESK_MAX_BODY_CHARS)

    def validate_body(self, body: str) -> str:
        if not body.strip():
            raise serializers.ValidationError(_("Write a message."))
        placeholders_check(body)
        return body


def _message_action(internal: bool) -> Callable[[Ticket, Any, dict], Skip | None]:
    def apply(ticket: Ticket, actor: Any, params: dict) -> Skip | None:
        if _closed(ticket) and not internal:
            return _skip(SKIP_CLOSED)
        body = placeholders_render(params["body"], ticket=ticket, actor=actor)
        services.message_add(ticket=ticket, author=actor, body=body, internal=internal)
        return None

    return apply


class MergeParams(serializers.Serializer):
    target = serializers.IntegerField(min_value=1)
    allow_other_customer = serializers.BooleanField(required=False, default=False)

    def validate_target(self, pk: int) -> int:
        target = Ticket.objects.filter(pk=pk).only("status", "merged_into").first()
        if target is None:
            raise serializers.ValidationError(_("No such ticket."))
        if target.status == Status.CLOSED or target.merged_into_id:
            raise serializers.ValidationError(str(merge.MERGE_TARGET_CLOSED))
        return pk


def _apply_merge(ticket: Ticket, actor: Any, params: dict) -> Skip | None:
    if ticket.pk == params["target"]:
        return _skip("target")
    if _closed(ticket):
        return _skip(SKIP_CLOSED)
    target = Ticket.objects.select_related("requester").get(pk=params["target"])  # locked with the chunk
    if ticket.requester_id != target.requester_id and not params["allow_other_customer"]:
        return _skip("other_customer")
    merge.merge_locked(
        source=ticket,
        target=target,
        by=actor,
        allow_other_customer=params["allow_other_customer"],
        notify=False,  # once for the chunk: _after_merge
    )
    return None


def _after_merge(merged: list[Ticket], actor: Any, params: dict) -> None:
    if merged:
        target = Ticket.objects.select_related("requester").get(pk=params["target"])
        merge.merge_notify(target=target, sources=merged)


for _action in (
    BulkAction(
        "status", gettext_lazy("Set status"), StatusParams, _apply_status, order=10, stage=_stage_status
    ),
    *(
        BulkAction(name, label, params, _field_action(name), order=order, stage=_field_stage(name))
        for name, label, params, order in (
            ("priority", gettext_lazy("Set priority"), PriorityParams, 20),
            ("assignee", gettext_lazy("Assign"), AssigneeParams, 30),
            ("team", gettext_lazy("Set team"), TeamParams, 40),
            ("category", gettext_lazy("Set category"), CategoryParams, 50),
        )
    ),
    BulkAction("tags", gettext_lazy("Add or remove tags"), TagsParams, _apply_tags, order=60),
    BulkAction("note", gettext_lazy("Add internal note"), MessageParams, _message_action(True), order=70),
    BulkAction("reply", gettext_lazy("Send public reply"), MessageParams, _message_action(False), order=80),
    BulkAction(
        "merge",
        gettext_lazy("Merge into"),
        MergeParams,
        _apply_merge,
        locks=lambda params: [params["target"]],
        order=90,
        after_chunk=_after_merge,
    ),
):
    bulk_action_register(_action)


# --- running ---------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    total: int = 0
    changed: int = 0
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "changed": self.changed,
            "skipped": self.skipped,
            "failed": self.failed,
            "summary": bulk_summary(changed=self.changed, skipped=self.skipped, failed=self.failed),
        }


def bulk_summary(*, changed: int, skipped: list[dict], failed: list[dict]) -> str:
    """ "312 changed, 3 skipped: closed (2), already set (1), 1 failed", in the active language."""
    parts = [ngettext("%(n)d changed", "%(n)d changed", changed) % {"n": changed}]
    if skipped:
        reasons = Counter(str(SKIP_REASONS.get(s["code"], s["reason"])) for s in skipped)
        detail = ", ".join(f"{reason} ({n})" if len(reasons) > 1 else reason for reason, n in reasons.items())
        parts.append(
            ngettext("%(n)d skipped: %(why)s", "%(n)d skipped: %(why)s", len(skipped))
            % {"n": len(skipped), "why": detail}
        )
    if failed:
        parts.append(ngettext("%(n)d failed", "%(n)d failed", len(failed)) % {"n": len(failed)})
    return ", ".join(parts)


def bulk_validate(*, action: str, params: dict, actor: Any = None) -> tuple[BulkAction, dict]:
    """The action and its validated params; ``serializers.ValidationError`` with field errors. The params
    serializer has the ``actor`` in its context (a macro must be one the actor may apply)."""
    found = bulk_actions.get(action)
    if found is None:
        raise serializers.ValidationError({"action": [_("Choose an action.")]})
    ser = found.params(data=params or {}, context={"actor": actor})
    ser.is_valid(raise_exception=True)
    return found, ser.validated_data


def _lock_chunk(action: BulkAction, params: dict, ids: list[int]) -> dict[int, Ticket]:
    extra = [pk for pk in action.locks(params) if pk not in ids]
    qs = services.ticket_lock_qs([*ids, *extra]).select_related("requester", "team", "assignee")
    return {t.pk: t for t in qs}


def _not_found(pk: int) -> dict:
    return {"id": pk, "reference": "", "code": "not_found", "reason": str(SKIP_REASONS["not_found"])}


def _stage_chunk(
    *,
    action: BulkAction,
    params: dict,
    actor: Any,
    ids: list[int],
    locked: dict[int, Ticket],
    result: BulkResult,
) -> bool:
    """The set-based way: stage every ticket, then one UPDATE and one INSERT of events for the chunk,
    in a savepoint. False (and nothing written) when anything failed: then the caller goes ticket by
    ticket, so the failure is reported for its ticket and the others are applied."""
    assert action.stage is not None
    staged: list[tuple[Ticket, list[str]]] = []
    skipped: list[dict] = []
    try:
        with transaction.atomic():
            for pk in ids:
                ticket = locked.get(pk)
                if ticket is None:
                    skipped.append(_not_found(pk))
                    continue
                ticket._pending_events = []  # type: ignore[attr-defined]
                out = action.stage(ticket, actor, params)
                if isinstance(out, Skip):
                    skipped.append(
                        {"id": pk, "reference": ticket.reference, "code": out.code, "reason": out.reason}
                    )
                elif not out:
                    skipped.append({"id": pk, "reference": ticket.reference, **_skip_dict(SKIP_UNCHANGED)})
                else:
                    staged.append((ticket, out))
            services.tickets_flush_many(staged=staged, by=actor)
    except Exception:  # noqa: BLE001 - retried ticket by ticket, where the failure is reported
        logger.info("Bulk %s: chunk failed set-based, going ticket by ticket", action.name, exc_info=True)
        return False
    result.changed += len(staged)
    result.skipped += skipped
    return True


def _skip_dict(code: str) -> dict:
    return {"code": code, "reason": str(SKIP_REASONS[code])}


def _apply_chunk(*, action: BulkAction, params: dict, actor: Any, ids: list[int], result: BulkResult) -> None:
    """One chunk in one transaction (the caller's): lock in pk order; set-based when the action can,
    else (or when that failed) each ticket in its own savepoint."""
    locked = _lock_chunk(action, params, ids)
    if action.stage is not None:
        if _stage_chunk(action=action, params=params, actor=actor, ids=ids, locked=locked, result=result):
            return
        locked = _lock_chunk(action, params, ids)  # fresh rows: the staged ones were changed in memory
    changed: list[Ticket] = []
    for pk in ids:
        ticket = locked.get(pk)
        if ticket is None:
            result.skipped.append(_not_found(pk))
            continue
        ticket._pending_events = []  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                skip = action.apply(ticket, actor, params)
        except ApplicationError as e:
            result.failed.append({"id": pk, "reference": ticket.reference, "reason": e.message})
            continue
        except Exception:  # one ticket's bug must not stop the others; logged with its trace
            logger.exception("Bulk action %s failed on ticket %s", action.name, pk)
            result.failed.append({"id": pk, "reference": ticket.reference, "reason": _("Unexpected error")})
            continue
        if skip is None:
            result.changed += 1
            changed.append(ticket)
        else:
            result.skipped.append(
                {"id": pk, "reference": ticket.reference, "code": skip.code, "reason": skip.reason}
            )
    if action.after_chunk is not None:
        action.after_chunk(changed, actor, params)


def bulk_run(*, actor: Any, action: str, params: dict, ids: list[int]) -> BulkResult:
    """Apply ``action`` to ``ids`` (already narrowed to what ``actor`` may see) inline, chunk by chunk."""
    found, validated = bulk_validate(action=action, params=params, actor=actor)
    ids = sorted(set(ids))
    result = BulkResult(total=len(ids))
    for start in range(0, len(ids), BULK_CHUNK):
        with transaction.atomic():
            _apply_chunk(
                action=found,
                params=validated,
                actor=actor,
                ids=ids[start : start + BULK_CHUNK],
                result=result,
            )
    return result


def bulk_submit(*, actor: Any, action: str, params: dict, ids: list[int]) -> BulkResult | BulkJob:
    """Inline up to ``BULK_INLINE_MAX`` tickets (the result), else a job for a worker (enqueued on commit)."""
    bulk_validate(action=action, params=params, actor=actor)  # field errors now, not in the worker
    ids = sorted(set(ids))
    if len(ids) > BULK_MAX:
        raise ApplicationError(
            _("At most %(max)s tickets at once; narrow the filters (%(count)s selected).")
            % {"max": BULK_MAX, "count": len(ids)},
            field="ids",
        )
    if not ids:
        raise ApplicationError(_("Select at least one ticket."), field="ids")
    if len(ids) <= BULK_INLINE_MAX:
        return bulk_run(actor=actor, action=action, params=params, ids=ids)
    from .tasks import bulk_job_run  # tasks import this module

    with transaction.atomic():
        job = BulkJob.objects.create(
            created_by=actor, action=action, params=params or {}, ticket_ids=ids, total=len(ids)
        )
        bulk_job_run.delay_on_commit(str(job.pk))
    return job


def bulk_job_step(*, job_id: str) -> bool:
    """Run the job's next chunk; True while chunks remain. Idempotent: the job row is locked, ``done``
    commits with the chunk, a finished job does nothing."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().select_related("created_by").filter(pk=job_id).first()
        if job is None or job.status == BulkJob.Status.DONE:
            return False
        found, validated = bulk_validate(action=job.action, params=job.params, actor=job.created_by)
        ids = job.ticket_ids[job.done : job.done + BULK_CHUNK]
        result = BulkResult()
        if ids:
            _apply_chunk(action=found, params=validated, actor=job.created_by, ids=ids, result=result)
        job.done += len(ids)
        job.changed += result.changed
        job.skipped = [*job.skipped, *result.skipped]
        job.failed = [*job.failed, *result.failed]
        more = job.done < job.total
        job.status = BulkJob.Status.RUNNING if more else BulkJob.Status.DONE
        job.finished_at = None if more else timezone.now()
        job.save()
        return more


def bulk_job_result(job: BulkJob) -> dict[str, Any]:
    return {
        "job": str(job.pk),
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "changed": job.changed,
        "skipped": job.skipped,
        "failed": job.failed,
        "summary": bulk_summary(changed=job.changed, skipped=job.skipped, failed=job.failed),
    }


def bulk_job_for_user(*, user: Any, job_id: Any) -> BulkJob:
    """The user's own job; anyone else's (or a malformed id) is a 404."""
    try:
        return BulkJob.objects.get(pk=uuid.UUID(str(job_id)), created_by=user)
    except (BulkJob.DoesNotExist, ValueError):
        raise Http404 from None


def selection_ids(*, qs: QuerySet[Ticket]) -> list[int]:
    """The ids of a filtered selection ("all matching"), at most ``BULK_MAX`` + 1 (to tell "too many")."""
    return list(qs.order_by("pk").values_list("pk", flat=True)[: BULK_MAX + 1])

"""Merging a duplicate into another ticket, and splitting a message off into a new ticket.

**Merge** (``ticket_merge``): the *source* is closed with ``merged_into`` pointing at the *target*.
What belonged to the source is **referenced, not moved**: its messages, attachments and events stay
on the source, where they were written (the audit trail stays immutable, the counters the metrics
read stay true to what happened on each ticket), and the target's timeline shows the sources'
messages and attachments among its own, marked with the source's reference (``merged_messages``).
A customer sees a merged source's messages on the target only when the source was their own request.

What arrives for the source afterwards lands on the target: ``tickets.services.message_add`` and
``attachment_add`` follow ``merged_into`` (mail threaded by token, headers or reference; portal
replies; the API), so nothing is lost on a closed ticket. The mail-in app copies the source's
approved participants onto the target when it sees the MERGED event.

The customer is told **once** (a bulk merge: once per chunk, naming all their tickets): one public system message on the target ("HD-000012 was merged into
this request"), which the notifications app mails to the target's requester as a reply. When the
source's requester is somebody else (only with ``allow_other_customer``), they get one such message
on their own source ticket before it is closed. Neither message is an agent's response: no
``first_response_at``, no ``public_reply_count`` (docs/metrics.md, "Merged tickets").

Refused: a ticket into itself, into a closed ticket (or one merged away), a closed source, and two
tickets of different customers unless the caller confirmed it (``allow_other_customer``).

**Split** (``message_split``): a message of a ticket becomes the description of a new ticket of the
same requester, category and channel, linked "related" to the original; the message stays where it
was (history is not rewritten) and an internal note on both tickets says where it went.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.errors import ApplicationError, ConflictError

from . import services
from .events import event_record
from .models import Message, Ticket, TicketEvent, TicketLink

K = TicketEvent.Kind
Status = Ticket.Status

MERGE_INTO_ITSELF = gettext_lazy("A ticket cannot be merged into itself.")
MERGE_TARGET_CLOSED = gettext_lazy("The target ticket is closed; merge into an open ticket.")
MERGE_SOURCE_CLOSED = gettext_lazy("This ticket is already closed.")
MERGE_OTHER_CUSTOMER = gettext_lazy(
    "These tickets belong to different customers. Confirm that you want to merge them anyway."
)
SPLIT_FIRST_MESSAGE = gettext_lazy("Choose a message to split off.")
MERGED_CUSTOMER_MESSAGE = gettext_lazy(
    "Your request %(source)s (“%(subject)s”) concerns the same matter as this one, so we have merged it "
    "into this request. Please reply here from now on."
)
MERGED_MANY_MESSAGE = gettext_lazy(
    "Your requests %(sources)s concern the same matter as this one, so we have merged them into this "
    "request. Please reply here from now on."
)
MERGED_AWAY_MESSAGE = gettext_lazy(
    "We have merged your request %(source)s into %(target)s, which handles the same matter. "
    "Your replies to this request reach us there."
)
SPLIT_NOTE = gettext_lazy("A message was split off into %(reference)s.")
SPLIT_FROM_NOTE = gettext_lazy("Split off from %(reference)s.")
# Enough for any real chain (a merge into a ticket that is merged later); guards against a cycle.
MAX_MERGE_HOPS = 20


def merge_final_target(ticket: Ticket) -> Ticket:
    """The ticket that takes what arrives for ``ticket``: itself, or the end of its merge chain."""
    seen = {ticket.pk}
    while ticket.merged_into_id and len(seen) < MAX_MERGE_HOPS:
        nxt = Ticket.objects.select_related("requester").get(pk=ticket.merged_into_id)
        if nxt.pk in seen:
            break
        seen.add(nxt.pk)
        ticket = nxt
    return ticket


def merge_check(*, source: Ticket, target: Ticket, allow_other_customer: bool = False) -> str | None:
    """Why ``source`` cannot be merged into ``target`` now (a message), or None when it can."""
    if source.pk == target.pk:
        return str(MERGE_INTO_ITSELF)
    if target.status == Status.CLOSED or target.merged_into_id:
        return str(MERGE_TARGET_CLOSED)
    if source.status == Status.CLOSED:
        return str(MERGE_SOURCE_CLOSED)
    if source.requester_id != target.requester_id and not allow_other_customer:
        return str(MERGE_OTHER_CUSTOMER)
    return None


def ticket_merge(*, source: Ticket, target: Ticket, by: Any, allow_other_customer: bool = False) -> Ticket:
    """Merge ``source`` into ``target``; returns the target. Both rows locked, in pk order."""
    with transaction.atomic():
        locked = {
            t.pk: t for t in services.ticket_lock_qs([source.pk, target.pk]).select_related("requester")
        }
        if len(locked) < 2:
            raise ApplicationError(str(MERGE_INTO_ITSELF), field="target")
        src, tgt = locked[source.pk], locked[target.pk]
        merge_locked(source=src, target=tgt, by=by, allow_other_customer=allow_other_customer)
        return tgt


def merge_locked(
    *, source: Ticket, target: Ticket, by: Any, allow_other_customer: bool = False, notify: bool = True
) -> None:
    """The merge itself, for callers that hold both row locks (``ticket_merge``, the bulk merge).

    ``notify=False``: the caller tells the customers itself, once for several merges (``merge_notify``)."""
    reason = merge_check(source=source, target=target, allow_other_customer=allow_other_customer)
    if reason:
        error = ConflictError if reason != str(MERGE_OTHER_CUSTOMER) else ApplicationError
        raise error(reason, extra={"code": _merge_code(reason)})
    other_customer = source.requester_id != target.requester_id
    if other_customer and notify:
        merge_notify(target=target, sources=[source])
    source._pending_events = []  # type: ignore[attr-defined]
    fields: list[str] = ["merged_into"]
    source.merged_into = target
    services._set_status(source, Status.CLOSED, by=by, fields=fields)
    services._flush(source, by=by, fields=fields, data={"merged_into": target.pk})
    event_record(
        ticket=source,
        kind=K.MERGED,
        actor=by,
        field="merged_into",
        new=target.reference,
        data={"target": target.pk},
    )
    # Shown on both pages ("Duplicate of" / "Duplicated by"), so the target lists what was merged into it.
    TicketLink.objects.get_or_create(
        source=source, target=target, kind=TicketLink.Kind.DUPLICATE, defaults={"created_by": by}
    )
    services._touch(target, ["updated_at"])
    event_record(
        ticket=target,
        kind=K.MERGED,
        actor=by,
        field="merged_from",
        new=source.reference,
        data={"source": source.pk, "other_customer": other_customer},
    )
    if not other_customer and notify:
        merge_notify(target=target, sources=[source])


def merge_notify(*, target: Ticket, sources: list[Ticket]) -> None:
    """Tell the customers once about these tickets merged into ``target``: the target's requester in one
    message on the target (naming all of theirs), any other requester on their own ticket."""
    own = [s for s in sources if s.requester_id == target.requester_id]
    if len(own) == 1:
        _system_message(
            target, MERGED_CUSTOMER_MESSAGE, {"source": own[0].reference, "subject": own[0].subject}
        )
    elif own:
        _system_message(target, MERGED_MANY_MESSAGE, {"sources": ", ".join(s.reference for s in own)})
    for source in sources:
        if source.requester_id != target.requester_id:
            _system_message(
                source,
                MERGED_AWAY_MESSAGE,
                {"source": source.reference, "target": target.reference, "subject": source.subject},
            )


def _merge_code(reason: str) -> str:
    return {
        str(MERGE_INTO_ITSELF): "itself",
        str(MERGE_TARGET_CLOSED): "target_closed",
        str(MERGE_SOURCE_CLOSED): "closed",
        str(MERGE_OTHER_CUSTOMER): "other_customer",
    }.get(reason, "refused")


def _system_message(ticket: Ticket, text: Any, values: dict[str, str]) -> Message:
    """A public message from the service desk, in the ticket's language, mailed to its requester.

    Written directly (not ``message_add``): no agent's response, so no first response and no
    public-reply count (the metrics); ``by_agent`` so that the notifications app mails it as a reply.
    """
    with translation.override(ticket.language or "en"):
        body = str(text) % values
    message = Message.objects.create(
        ticket=ticket, author=None, body=body, internal=False, by_agent=True, system=True
    )
    event_record(ticket=ticket, kind=K.MESSAGE, actor=None, data={"message": message.pk, "system": True})
    return message


def message_split(*, message: Message, by: Any, subject: str) -> Ticket:
    """A new ticket from ``message`` (of an open or resolved ticket), linked to the original."""
    from .links import link_create  # links imports nothing of merge; keep the import local and cheap

    subject = (subject or "").strip()
    if not subject:
        raise ApplicationError(_("Give the new ticket a subject."), field="subject")
    with transaction.atomic():
        original = services.ticket_lock(pk=message.ticket_id)
        if original.status == Status.CLOSED:
            raise ConflictError(_(services.TICKET_CLOSED_NO_REPLY))
        new = services.ticket_create(
            requester=original.requester,
            by=by,
            subject=subject[:200],
            description=message.body,
            channel=original.channel,
            category=original.category,
            impact=original.impact,
            urgency=original.urgency,
            language=original.language,
            event_data={"split_from": original.pk, "message": message.pk},
        )
        event_record(
            ticket=original,
            kind=K.SPLIT,
            actor=by,
            field="split_to",
            new=new.reference,
            data={"ticket": new.pk, "message": message.pk},
        )
        link_create(source=new, target=original, kind="related", by=by)
        with translation.override(original.language or "en"):
            to_note = str(SPLIT_NOTE) % {"reference": new.reference}
            from_note = str(SPLIT_FROM_NOTE) % {"reference": original.reference}
        services.message_add(ticket=original, author=by, body=to_note, internal=True)
        services.message_add(ticket=new, author=by, body=from_note, internal=True)
        return new

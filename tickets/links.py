"""Typed links between tickets: related, duplicate of, caused by, parent of (``TicketLink``).

A link is stored once, directed (``source`` *kind* ``target``), and shown on both tickets' pages,
each side with its own wording (``ticket_links``): "Duplicate of HD-2" on one, "Duplicated by HD-1"
on the other; "Parent of" / "Child of"; "Caused by" / "Causes"; "Related to" on both. Each link and
each removal is a LINKED / UNLINKED event on both tickets.

Refused: a ticket linked to itself; a parent link that would make a circle (the child is the
parent's own ancestor) or give a ticket a second parent; tickets of different customers unless
the caller confirmed it (``allow_other_customer``). Both rows are locked in pk order, so two agents
linking the same pair at once cannot both pass the checks.

Resolving a parent offers to resolve its open children (``open_children``, ``children_resolve``):
the agent page's resolve form lists them with a checkbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from helpdesk.errors import ApplicationError

from . import services
from .events import event_record
from .models import Ticket, TicketEvent, TicketLink

K = TicketEvent.Kind
Kind = TicketLink.Kind

LINK_SELF = gettext_lazy("A ticket cannot be linked to itself.")
LINK_CIRCULAR = gettext_lazy("That would make a circle: the child is already above this ticket.")
LINK_SECOND_PARENT = gettext_lazy("That ticket already has a parent.")
LINK_OTHER_CUSTOMER = gettext_lazy(
    "These tickets belong to different customers. Confirm that you want to link them anyway."
)
# How each kind reads from the other side of the link.
INVERSE_LABELS = {
    Kind.RELATED: gettext_lazy("Related to"),
    Kind.DUPLICATE: gettext_lazy("Duplicated by"),
    Kind.CAUSED_BY: gettext_lazy("Causes"),
    Kind.PARENT: gettext_lazy("Child of"),
}
# Parent chains longer than this are not walked (a guard; real trees are a few levels deep).
MAX_DEPTH = 50


def _ancestors(ticket_id: int) -> set[int]:
    seen: set[int] = set()
    current: int | None = ticket_id
    while current is not None and len(seen) < MAX_DEPTH:
        parent = (
            TicketLink.objects.filter(kind=Kind.PARENT, target_id=current)
            .values_list("source_id", flat=True)
            .first()
        )
        if parent is None or parent in seen:
            break
        seen.add(parent)
        current = parent
    return seen


def link_create(
    *, source: Ticket, target: Ticket, kind: str, by: Any, allow_other_customer: bool = False
) -> TicketLink:
    """Link ``source`` *kind* ``target``; an existing identical link is returned as it is."""
    if source.pk == target.pk:
        raise ApplicationError(str(LINK_SELF), field="target")
    if kind not in Kind.values:
        raise ApplicationError(str(gettext_lazy("Choose a kind of link.")), field="kind")
    with transaction.atomic():
        locked = {t.pk: t for t in services.ticket_lock_qs([source.pk, target.pk])}
        src, tgt = locked[source.pk], locked[target.pk]
        if src.requester_id != tgt.requester_id and not allow_other_customer:
            raise ApplicationError(str(LINK_OTHER_CUSTOMER), field="target", extra={"code": "other_customer"})
        existing = TicketLink.objects.filter(source=src, target=tgt, kind=kind).first()
        if kind == Kind.RELATED and existing is None:
            existing = TicketLink.objects.filter(source=tgt, target=src, kind=kind).first()
        if existing:
            return existing
        if kind == Kind.PARENT:
            if tgt.pk in _ancestors(src.pk):
                raise ApplicationError(str(LINK_CIRCULAR), field="target", extra={"code": "circular"})
            if TicketLink.objects.filter(kind=Kind.PARENT, target=tgt).exists():
                raise ApplicationError(
                    str(LINK_SECOND_PARENT), field="target", extra={"code": "second_parent"}
                )
        link = TicketLink.objects.create(source=src, target=tgt, kind=kind, created_by=by)
        for here, other in ((src, tgt), (tgt, src)):
            event_record(
                ticket=here,
                kind=K.LINKED,
                actor=by,
                field=kind,
                new=other.reference,
                data={"link": link.pk, "ticket": other.pk, "outgoing": here.pk == src.pk},
            )
        return link


def link_delete(*, link: TicketLink, by: Any) -> None:
    with transaction.atomic():
        locked = {t.pk: t for t in services.ticket_lock_qs([link.source_id, link.target_id])}
        if not TicketLink.objects.filter(pk=link.pk).exists():
            return  # removed meanwhile: nothing to do
        src, tgt = locked[link.source_id], locked[link.target_id]
        for here, other in ((src, tgt), (tgt, src)):
            event_record(
                ticket=here,
                kind=K.UNLINKED,
                actor=by,
                field=link.kind,
                old=other.reference,
                data={"ticket": other.pk},
            )
        link.delete()


@dataclass
class ShownLink:
    link: TicketLink
    label: Any
    other: Ticket


def ticket_links(*, ticket: Ticket, visible: QuerySet[Ticket]) -> list[ShownLink]:
    """The links of ``ticket`` from its side, to tickets in ``visible`` (the viewer's selector). One query."""
    shown = []
    found = TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related("source", "target")
    if visible.query.where:  # not everything is visible (an agent sees every ticket: no filter to apply)
        ids = visible.values("pk")
        found = found.filter((Q(source=ticket) & Q(target__in=ids)) | (Q(target=ticket) & Q(source__in=ids)))
    for link in found:
        if link.source_id == ticket.pk:
            shown.append(ShownLink(link, link.get_kind_display(), link.target))
        else:
            shown.append(ShownLink(link, INVERSE_LABELS[link.kind], link.source))
    order = list(Kind.values)
    shown.sort(key=lambda s: (order.index(s.link.kind), s.other.pk))
    return shown


def open_children(*, ticket: Ticket) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        links_in__source=ticket, links_in__kind=Kind.PARENT, status__in=Ticket.OPEN_STATUSES
    ).order_by("pk")


def children_resolve(*, parent: Ticket, by: Any, resolution: str, ids: list[int]) -> list[Ticket]:
    """Resolve those of ``parent``'s open children named in ``ids`` with ``resolution``, each in its
    own transaction (a child that changed meanwhile is left as it is)."""
    done = []
    for child in open_children(ticket=parent).filter(pk__in=ids):
        try:
            done.append(services.ticket_resolve(ticket=child, by=by, resolution=resolution))
        except ApplicationError:
            continue
    return done


def link_filter_for(ticket: Ticket) -> Q:
    return Q(source=ticket) | Q(target=ticket)

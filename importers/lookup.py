"""An imported ticket found by the number it had in its old system, e.g. in the subject of a reply to
mail the old helpdesk sent. Registered with mail-in (``mailin.hooks``) by ``ImportersConfig.ready``.

The subject tags the sources put in their mail:

- ``[#123]`` — osTicket (``[#123456]``), Zendesk and most others; any source;
- ``[Ticket#31001]`` — Zammad (its "ticket hook", ``Ticket#`` unless renamed: any word before ``#``);
- ``[hw-123]`` — django-helpdesk (``[queue-slug-id]``); only tickets imported from django-helpdesk,
  so that some other bracketed ``[abc-12]`` does not thread onto a ticket by chance.
"""

from __future__ import annotations

import re

from tickets.models import Ticket

from .models import ImportedRecord

Kind = ImportedRecord.Kind

# "[#123]", "[Ticket#31001]", "[Anfrage# 77]", "[#ZD-88]"
_HASH_TAG = re.compile(r"\[\s*(?:[^\W\d_][\w.-]{0,30}\s?)?#\s*([\w-]{1,64})\s*\]")
# django-helpdesk: "[queue-slug-123]"
_QUEUE_TAG = re.compile(r"\[([A-Za-z0-9_-]{1,50})-(\d{1,12})\]")


def ticket_by_original_number(number: str, *, source_prefix: str = "") -> Ticket | None:
    """The imported ticket that had this number in its old system (newest import first), optionally
    only from sources whose key starts with ``source_prefix`` (e.g. ``"django-helpdesk:"``)."""
    rows = ImportedRecord.objects.filter(kind=Kind.TICKET, number=str(number).strip().lstrip("#"))
    if source_prefix:
        rows = rows.filter(source_key__startswith=source_prefix)
    row = rows.order_by("-imported_at", "-pk").only("object_id").first()
    return Ticket.objects.filter(pk=row.object_id).first() if row else None


def ticket_for_subject(subject: str) -> Ticket | None:
    """The imported ticket whose old number the subject carries in one of the tags above, else None."""
    for match in _HASH_TAG.finditer(subject or ""):
        ticket = ticket_by_original_number(match.group(1))
        if ticket is not None:
            return ticket
    for match in _QUEUE_TAG.finditer(subject or ""):
        ticket = ticket_by_original_number(match.group(2), source_prefix="django-helpdesk:")
        if ticket is not None:
            return ticket
    return None

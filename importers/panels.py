"""The agent ticket page's side panel of an imported ticket: its source and original number."""

from __future__ import annotations

from typing import Any

from .selectors import original_number


def original_number_context(request: Any, ticket: Any) -> dict | None:
    record = original_number(ticket.pk)
    if record is None:
        return None
    source = record.source_key.split(":", 1)[0]
    return {"imported": record, "imported_from": SOURCE_NAMES.get(source, source)}


SOURCE_NAMES = {
    "django-helpdesk": "django-helpdesk",
    "zammad": "Zammad",
    "zendesk": "Zendesk",
    "osticket": "osTicket",
    "csv": "CSV",
}

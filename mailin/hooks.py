"""Ways other apps help mail find its ticket, without mailin knowing those apps.

An app registers a *subject lookup* in its ``AppConfig.ready()``: a function from a mail's subject
to the ticket it names, or None. ``mailin.services.match_ticket`` asks them in order, only when its
own threading (reply token, In-Reply-To/References, our ``HD-…`` reference) found nothing. The
importers register the lookup of an imported ticket's old number (``[#123]``, ``[Ticket#31001]``,
``[queue-123]``), so replies to mail from the old helpdesk still thread.

Dependencies point from the registering app to mailin, never back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (the reason recorded on the message, the lookup)
subject_lookups: list[tuple[str, Callable[[str], Any]]] = []


def subject_lookup_register(reason: str, lookup: Callable[[str], Any]) -> None:
    """Add a lookup (once: registering the same function again replaces it)."""
    subject_lookups[:] = [(r, f) for r, f in subject_lookups if f is not lookup]
    subject_lookups.append((reason, lookup))

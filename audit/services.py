"""Writing the audit log. Everything goes through ``audit_record``; nothing ever changes an entry."""

from __future__ import annotations

from typing import Any

from .context import current_actor
from .models import AuditEntry

_NO_ACTOR = object()


def audit_record(
    *,
    action: str,
    model: str,
    object_id: str = "",
    object_repr: str = "",
    before: Any = None,
    after: Any = None,
    details: dict[str, Any] | None = None,
    actor: Any = _NO_ACTOR,
) -> AuditEntry:
    """One entry, in the caller's transaction (a rolled-back change leaves no entry). The actor is the
    given one, else the current one (``audit.context``)."""
    who = current_actor() if actor is _NO_ACTOR else actor
    return AuditEntry.objects.create(
        actor=who if who is not None and getattr(who, "pk", None) else None,
        action=action,
        model=model,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        before=before,
        after=after,
        details=details or {},
    )

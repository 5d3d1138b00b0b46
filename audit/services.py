"""Writing the audit log. Everything goes through ``audit_record``; nothing ever changes an entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext

from . import registry
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


def audit_person_event(
    *, action: str, person: Any, details: dict[str, Any] | None = None, actor: Any = _NO_ACTOR
) -> AuditEntry:
    """An event about a person's sign-in (two factors, API tokens, sessions), kept by the person's id and
    shown by their current name. ``details`` never holds a code, a secret or a token."""
    return audit_record(
        action=action,
        model="accounts.user",
        object_id=str(person.pk),
        object_repr=gettext("User #%(id)s") % {"id": person.pk},
        details=details,
        actor=actor,
    )


def audit_queryset_update(qs: QuerySet, **values: Any) -> int:
    """``qs.update(**values)`` for a registered model, with an "updated" entry per row whose tracked
    values change (before/after, like a save): what the registry's signals cannot see. Plain values only
    (no ``F()``); the rows are read once, in the caller's transaction."""
    reg = registry.registration_for(qs.model)
    if reg is None:
        return qs.update(**values)
    rows = list(qs)
    count = qs.update(**values)
    for obj in rows:
        registry.record_values_changed(obj, values)
    return count


def audit_bulk_created(objs: Iterable[models.Model]) -> None:
    """A "created" entry for each row a ``bulk_create`` wrote (which sends no signals)."""
    for obj in objs:
        registry.record_created(obj)

"""Reading the audit log: supervisors only (the views and the API check the role)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tickets.templatetags.helpdesk_ui import display_name

from . import registry
from .models import AuditEntry


def audit_entry_list(
    *,
    action: str = "",
    model: str = "",
    actor: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if model:
        qs = qs.filter(model=model)
    if actor:
        qs = qs.filter(actor_id=actor)
    if date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        qs = qs.filter(at__lt=timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min)))
    return qs.order_by("-at", "-id")


def what_label(entry: AuditEntry) -> str:
    """The kind of thing an entry is about, in the reader's language."""
    if entry.model == "privacy":
        return _("Privacy")
    return registry.model_verbose_name(entry.model) or entry.model


def object_label(entry: AuditEntry, people: dict[int, Any]) -> str:
    """The object's name; a person (a user, or the subject of an export/erasure) by current name."""
    if entry.model == "accounts.user" or (entry.model == "privacy" and entry.details.get("person")):
        pk = int(entry.details.get("person") or entry.object_id or 0)
        person = people.get(pk)
        return display_name(person) if person else _("User #%(id)s") % {"id": pk}
    return entry.object_repr


def actor_label(entry: AuditEntry) -> str:
    if entry.actor_id is None:
        return _("System")
    if entry.actor is None:
        return _("User #%(id)s") % {"id": entry.actor_id}
    return display_name(entry.actor)


def people_for(entries: list[AuditEntry]) -> dict[int, Any]:
    from accounts.models import User

    ids = set()
    for e in entries:
        if e.model == "accounts.user" and e.object_id.isdigit():
            ids.add(int(e.object_id))
        if e.details.get("person"):
            ids.add(int(e.details["person"]))
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


def _value(v: Any) -> str:
    if v is None or v == "":
        return "–"
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) or "–"
    return str(v)


def change_rows(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) for the page: every key either side, in a stable order."""
    before = entry.before or {}
    after = entry.after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        (
            registry.field_verbose_name(entry.model, k),
            _value(registry.field_value_label(entry.model, k, before.get(k))),
            _value(registry.field_value_label(entry.model, k, after.get(k))),
        )
        for k in keys
    ]


def detail_rows(entry: AuditEntry) -> list[tuple[str, str]]:
    labels = {
        "tickets": _("Tickets"),
        "messages": _("Messages"),
        "attachments": _("Attachments"),
        "ratings": _("Ratings"),
        "time_entries": _("Time entries"),
        "notifications": _("Notifications"),
        "months": _("Older than (months)"),
        "rule": _("Rule"),
        "bytes": _("Size (bytes)"),
        "token_name": _("Token"),
        "scope": _("Access"),
        "expires": _("Expires"),
        "tokens_revoked": _("API tokens revoked"),
        "sessions_ended": _("Signed out everywhere"),
    }
    return [(labels[k], _detail_value(k, v)) for k, v in entry.details.items() if k in labels]


def _detail_value(key: str, value: Any) -> str:
    if key == "scope":
        from apitokens.models import ApiToken

        return str(dict(ApiToken.Scope.choices).get(value, value))
    if key == "expires" and isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return _value(value)


CSV_HEADER = ["id", "at", "actor_id", "action", "model", "object_id", "object", "before", "after", "details"]


def csv_rows(qs: QuerySet[AuditEntry]) -> Iterator[list[Any]]:
    import json

    for e in qs.iterator(chunk_size=2000):
        yield [
            e.pk,
            e.at.isoformat(),
            e.actor_id or "",
            e.action,
            e.model,
            e.object_id,
            e.object_repr,
            "" if e.before is None else json.dumps(e.before, ensure_ascii=False, sort_keys=True),
            "" if e.after is None else json.dumps(e.after, ensure_ascii=False, sort_keys=True),
            json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else "",
        ]

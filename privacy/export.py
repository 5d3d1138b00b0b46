"""Everything about a person as one ZIP: JSON files plus the files of their attachments.

Built in the request into a temporary file on disk (never in memory), streamed out by the view and
deleted when closed. A person's data is small next to a whole helpdesk; the largest part, the files,
is copied from storage in chunks. Layout:

    person.json          the user record (no password hash)
    tickets.json         the tickets they requested, each with its messages, attachments (metadata),
                         rating, events and time entries
    messages.json        messages they wrote in other people's tickets
    time_entries.json    time they logged (agents) or that was logged on their requests
    notifications.json   mails and in-app notices to them
    follows.json, mentions.json, saved_views.json, preferences.json
    sign_in.json         their accounts at single sign-on sources and their single sign-ons
    attachments/<id>-<file name>   the files
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from typing import IO, Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record


def _dump(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _rows(qs: Any, *fields: str) -> list[dict[str, Any]]:
    return list(qs.values(*fields))


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:100] or "file"


def person_data(*, person: User) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The JSON documents and the attachments to include."""
    from notifications.models import (
        InAppNotification,
        Mention,
        Notification,
        NotificationPreference,
        TicketFollower,
    )
    from savedviews.models import SavedView
    from sso.models import ExternalIdentity, SignIn
    from tickets.models import Attachment, Message, Rating, Ticket, TicketEvent
    from timetracking.models import TimeEntry

    pk = person.pk
    record = _rows(
        User.objects.filter(pk=pk),
        "id", "username", "first_name", "last_name", "email", "role", "language", "is_active",
        "date_joined", "last_login", "email_updates", "available",
    )[0]  # fmt: skip
    record["teams"] = [str(t) for t in person.teams.all()]

    tickets = list(
        Ticket.objects.filter(requester_id=pk).values(
            "id", "subject", "description", "channel", "status", "priority", "impact", "urgency", "tier",
            "category__name", "team__name", "language", "created_at", "updated_at", "first_response_at",
            "resolved_at", "closed_at", "resolution",
        )
    )  # fmt: skip
    ids = [t["id"] for t in tickets]
    by_ticket: dict[str, dict[int, list]] = {
        k: {i: [] for i in ids} for k in ("messages", "attachments", "events", "time_entries")
    }
    for m in Message.objects.filter(ticket_id__in=ids).values(
        "id", "ticket_id", "author_id", "body", "internal", "by_agent", "system", "channel", "created_at"
    ):
        m["written_by_person"] = m.pop("author_id") == pk
        by_ticket["messages"][m["ticket_id"]].append(m)
    attachments = list(
        Attachment.objects.filter(Q(ticket_id__in=ids) | Q(uploaded_by_id=pk)).values(
            "id", "ticket_id", "message_id", "file", "filename", "content_type", "size", "internal",
            "uploaded_by_id", "created_at",
        )
    )  # fmt: skip
    for a in attachments:
        a["path_in_zip"] = f"attachments/{a['id']}-{_safe_name(a['filename'])}"
        a["uploaded_by_person"] = a.pop("uploaded_by_id") == pk
        if a["ticket_id"] in by_ticket["attachments"]:
            by_ticket["attachments"][a["ticket_id"]].append({k: v for k, v in a.items() if k != "file"})
    for e in TicketEvent.objects.filter(ticket_id__in=ids).values(
        "ticket_id", "kind", "field", "old_value", "new_value", "created_at"
    ):
        by_ticket["events"][e["ticket_id"]].append(e)
    time_entries = _rows(
        TimeEntry.objects.filter(Q(ticket_id__in=ids) | Q(agent_id=pk) | Q(customer_id=pk)),
        "id", "ticket_id", "date", "minutes", "note", "billable", "source", "created_at",
    )  # fmt: skip
    for t in time_entries:
        if t["ticket_id"] in by_ticket["time_entries"]:
            by_ticket["time_entries"][t["ticket_id"]].append(t)
    ratings = {
        r["ticket_id"]: r
        for r in _rows(
            Rating.objects.filter(ticket_id__in=ids), "ticket_id", "score", "comment", "created_at"
        )
    }
    for t in tickets:
        for key, groups in by_ticket.items():
            t[key] = groups[t["id"]]
        t["rating"] = ratings.get(t["id"])

    docs = {
        "person.json": record,
        "tickets.json": tickets,
        "messages.json": _rows(
            Message.objects.filter(author_id=pk).exclude(ticket_id__in=ids),
            "id",
            "ticket_id",
            "body",
            "internal",
            "channel",
            "created_at",
        ),  # fmt: skip
        "time_entries.json": time_entries,
        "notifications.json": {
            "mails": _rows(
                Notification.objects.filter(recipient_id=pk),
                "id",
                "ticket_id",
                "kind",
                "address",
                "subject",
                "body_text",
                "status",
                "created_at",
            ),  # fmt: skip
            "in_app": _rows(
                InAppNotification.objects.filter(recipient_id=pk),
                "id",
                "ticket_id",
                "topic",
                "excerpt",
                "created_at",
            ),
        },
        "follows.json": _rows(TicketFollower.objects.filter(user_id=pk), "ticket_id", "reason"),
        "mentions.json": _rows(Mention.objects.filter(user_id=pk), "ticket_id", "message_id"),
        "saved_views.json": _rows(SavedView.objects.filter(owner_id=pk), "id", "name"),
        "preferences.json": _rows(NotificationPreference.objects.filter(user_id=pk), "topic"),
        "sign_in.json": {
            "accounts": _rows(
                ExternalIdentity.objects.filter(user_id=pk),
                "source",
                "external_id",
                "groups",
                "created_at",
                "last_sign_in_at",
            ),
            "sign_ins": _rows(SignIn.objects.filter(user_id=pk), "at", "source", "outcome"),
        },
    }
    return docs, attachments


def person_export(*, person: User, by: User) -> tuple[IO[bytes], dict[str, int]]:
    """The ZIP in a temporary file (at position 0) and its counts; the export is in the audit log."""
    docs, attachments = person_data(person=person)
    out = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 - the response closes (and so deletes) it
    files = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in docs.items():
            zf.writestr(name, _dump(data))
        for a in attachments:
            try:
                source = default_storage.open(a["file"], "rb")
            except (OSError, ValueError):
                continue  # a file missing from storage: its metadata is in tickets.json
            with source, zf.open(a["path_in_zip"], "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            files += 1
    size = out.tell()
    out.seek(0)
    counts = {
        "tickets": len(docs["tickets.json"]),
        "messages": sum(len(t["messages"]) for t in docs["tickets.json"]) + len(docs["messages.json"]),
        "attachments": files,
        "time_entries": len(docs["time_entries.json"]),
        "notifications": len(docs["notifications.json"]["mails"]) + len(docs["notifications.json"]["in_app"]),
        "bytes": size,
    }
    with transaction.atomic():
        audit_record(
            action=AuditEntry.Action.EXPORTED,
            model="privacy",
            object_id=str(person.pk),
            details={"person": person.pk, **counts},
            actor=by,
        )
    return out, counts

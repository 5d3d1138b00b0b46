"""``--from zammad URL --token TOKEN``: a Zammad instance, read through its REST API (v1).

What is read (docs.zammad.org, "REST API"): groups → teams; users (roles Admin → supervisor,
Agent → agent, else customer; their organisation's name as the company); tickets with their
state, priority, group, owner and tags, and its state changes as they happened
(``/api/v1/ticket_history/<id>``: reopen counts, resolution times); each ticket's articles (``internal`` kept, the sender's
user as the author) with their attachments.

- Authentication: ``Authorization: Token token=<token>`` (an access token with the
  ``ticket.agent`` and ``admin.user`` permissions).
- Lists are paginated with ``page`` / ``per_page`` (option ``per_page``, default 100) and asked for
  with ``expand=true`` so that states, priorities, groups and organisations come as names; a page
  shorter than ``per_page`` is the last.
- ``--since``: ``/api/v1/tickets/search`` with a range on ``updated_at``, oldest change first.
- Rate limits: a 429 is waited out as its ``Retry-After`` says (``importers.sources.http``).

Priorities are given to the mapping without Zammad's sort number ("2 normal" → "normal"), so the
defaults guess them by their word. Zammad's system user (id 1, login "-") is not imported; a
ticket owned by it is unassigned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from importers.records import (
    AttachmentRecord,
    MessageRecord,
    Problem,
    StateChange,
    TeamRecord,
    TicketRecord,
    UserRecord,
)

from .base import BaseSource, SourceError, register
from .http import JsonApi, SourceHTTPError
from .values import language, parse_time

SYSTEM_USER_ID = 1
CLOSED_STATE_TYPES = {"closed", "merged"}
CHANNELS = {"email": "email", "phone": "phone", "web": "web", "chat": "chat", "sms": "social"}
_PRIORITY_NUMBER = re.compile(r"^\s*\d+\s+")


def priority_name(value: object) -> str:
    return _PRIORITY_NUMBER.sub("", str(value or "")).strip()


@register("zammad")
class ZammadSource(BaseSource):
    def __init__(self, location: str, **options: Any) -> None:
        super().__init__(location, **options)
        token = options.get("token")
        if not token:
            raise SourceError("zammad: give the API token (--token)")
        split = urlsplit(location)
        if split.scheme not in ("http", "https") or not split.netloc:
            raise SourceError(f"zammad: not a URL: {location!r}")
        self.key = f"zammad:{split.netloc}{split.path.rstrip('/')}"
        self.per_page = int(options.get("per_page", 100))
        self.api = options.get("client") or JsonApi(
            location, headers={"Authorization": f"Token token={token}"}, sleep=options.get("sleep", _sleep)
        )
        self._states: dict[int, dict[str, Any]] | None = None
        self._organisations: dict[int, str] | None = None

    # -- reading ---------------------------------------------------------------------------------

    def _get(self, path: str, **params: Any) -> Any:
        try:
            return self.api.get(path, params=params or None)
        except SourceHTTPError as exc:
            raise SourceError(f"zammad: {exc}") from exc

    def _pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            items = self._get(path, expand="true", page=page, per_page=self.per_page, **params)
            if not isinstance(items, list):
                raise SourceError(f"zammad: {path} did not answer a list")
            yield from items
            if len(items) < self.per_page:
                return
            page += 1

    def states(self) -> dict[int, dict[str, Any]]:
        if self._states is None:
            self._states = {s["id"]: s for s in self._pages("/api/v1/ticket_states")}
        return self._states

    def organisations(self) -> dict[int, str]:
        if self._organisations is None:
            self._organisations = {o["id"]: o.get("name") or "" for o in self._pages("/api/v1/organizations")}
        return self._organisations

    # -- the kinds -------------------------------------------------------------------------------

    def teams(self) -> Iterator[TeamRecord]:
        for group in self._pages("/api/v1/groups"):
            yield TeamRecord(source_id=str(group["id"]), name=group.get("name") or f"Group {group['id']}")

    def users(self) -> Iterator[UserRecord]:
        for user in self._pages("/api/v1/users"):
            if user["id"] == SYSTEM_USER_ID:
                continue
            problems: list[Problem] = []
            roles = set(user.get("roles") or [])
            role = "supervisor" if "Admin" in roles else "agent" if "Agent" in roles else "customer"
            company = user.get("organization") or self.organisations().get(user.get("organization_id"), "")
            group_ids = user.get("group_ids") or {}
            yield UserRecord(
                source_id=str(user["id"]),
                email=(user.get("email") or "").strip(),
                first_name=user.get("firstname") or "",
                last_name=user.get("lastname") or "",
                username=user.get("login") or "",
                role=role,
                company=company or "",
                language=language((user.get("preferences") or {}).get("locale")),
                active=bool(user.get("active", True)),
                team_source_ids=[str(g) for g in (group_ids if isinstance(group_ids, dict) else group_ids)],
                created_at=parse_time(user.get("created_at"), problems, "created_at"),
                problems=problems,
            )

    def tickets(self, since: datetime | None = None) -> Iterator[TicketRecord]:
        if since is None:
            found = self._pages("/api/v1/tickets")
        else:
            stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            found = self._pages(
                "/api/v1/tickets/search",
                query=f'updated_at:["{stamp}" TO *]',
                sort_by="updated_at",
                order_by="asc",
            )
        for ticket in found:
            yield self._ticket(ticket)

    def _ticket(self, t: dict[str, Any]) -> TicketRecord:
        problems: list[Problem] = []
        state = self.states().get(t.get("state_id"))
        state_name = t.get("state") or (state or {}).get("name")
        if not state_name:
            problems.append(Problem("unknown_state", f"state_id {t.get('state_id')}"))
        created = parse_time(t.get("created_at"), problems, "created_at")
        updated = parse_time(t.get("updated_at"), problems, "updated_at")
        closed = None
        if state and state.get("state_type") in CLOSED_STATE_TYPES:
            closed = parse_time(t.get("last_close_at") or t.get("close_at"), problems, "close_at")
        owner = t.get("owner_id")
        tags = self._get("/api/v1/tags", object="Ticket", o_id=t["id"]).get("tags") or []
        changes = []
        for h in self._get(f"/api/v1/ticket_history/{t['id']}").get("history") or []:
            if (
                h.get("history_object") == "Ticket"
                and h.get("history_attribute") == "state"
                and h.get("value_to")
            ):
                when = parse_time(h.get("created_at"), [], "created_at")
                by = h.get("created_by_id")
                if when is not None:
                    changes.append(
                        StateChange(
                            state=h["value_to"],
                            at=when,
                            by_source_id=str(by) if by and by != SYSTEM_USER_ID else None,
                        )
                    )
        return TicketRecord(
            source_id=str(t["id"]),
            number=str(t.get("number") or t["id"]),
            subject=t.get("title") or "",
            requester_source_id=str(t["customer_id"]) if t.get("customer_id") else None,
            state=state_name or "",
            priority=priority_name(t.get("priority")),
            queue_source_id=str(t["group_id"]) if t.get("group_id") else None,
            assignee_source_id=str(owner) if owner and owner != SYSTEM_USER_ID else None,
            tags=[str(tag) for tag in tags],
            created_at=created,
            updated_at=updated,
            closed_at=closed,
            channel=CHANNELS.get(t.get("create_article_type") or "", ""),
            state_changes=changes,
            problems=problems,
        )

    def messages(self, ticket: TicketRecord) -> Iterator[MessageRecord]:
        articles = self._get(f"/api/v1/ticket_articles/by_ticket/{ticket.source_id}", expand="true")
        for a in sorted(articles, key=lambda a: a["id"]):
            problems: list[Problem] = []
            author = a.get("origin_by_id") or a.get("created_by_id")
            html = (a.get("content_type") or "").startswith("text/html")
            created = parse_time(a.get("created_at"), problems, "created_at")
            yield MessageRecord(
                source_id=str(a["id"]),
                ticket_source_id=ticket.source_id,
                author_source_id=str(author) if author and author != SYSTEM_USER_ID else None,
                body_text="" if html else a.get("body") or "",
                body_html=a.get("body") or "" if html else "",
                internal=bool(a.get("internal")),
                created_at=created,
                attachments=[
                    self._attachment(ticket.source_id, a, f, created) for f in a.get("attachments") or []
                ],
                problems=problems,
            )

    def _attachment(
        self, ticket_id: str, article: dict, f: dict, created: datetime | None
    ) -> AttachmentRecord:
        prefs = f.get("preferences") or {}
        path = f"/api/v1/ticket_attachment/{ticket_id}/{article['id']}/{f['id']}"
        try:
            size = int(f.get("size"))
        except (TypeError, ValueError):
            size = None

        def read() -> bytes:
            got = self.api.download(path, max_bytes=settings.HELPDESK_MAX_ATTACHMENT_BYTES)
            if got.too_large:
                raise ValueError("attachment larger than allowed")
            return got.content

        return AttachmentRecord(
            source_id=str(f["id"]),
            filename=f.get("filename") or f"attachment-{f['id']}",
            content_type=prefs.get("Content-Type") or prefs.get("Mime-Type") or "application/octet-stream",
            size=size,
            read=read,
            created_at=created,
        )

    def describe_values(self) -> dict[str, list[str]]:
        return {
            "states": [s["name"] for s in self.states().values()],
            "priorities": [priority_name(p["name"]) for p in self._pages("/api/v1/ticket_priorities")],
            "queues": [g.get("name") or "" for g in self._pages("/api/v1/groups")],
        }


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)

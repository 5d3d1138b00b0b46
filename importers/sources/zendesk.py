"""``--from zendesk https://SUBDOMAIN.zendesk.com --token TOKEN --option email=ADMIN@EXAMPLE``.

What is read (developer.zendesk.com): groups → teams; organisations (their names become the
users' company); users (end-user → customer, agent → agent, admin → supervisor) by the
cursor-based incremental user export; tickets by the cursor-based incremental ticket export
(``start_time`` = ``--since`` or 0, then ``cursor`` until ``end_of_stream``; ``exclude_deleted``;
the metrics sideloaded for ``solved_at``; the status changes from each ticket's audits, so
reopens count as they happened); each ticket's comments (``public`` false → internal)
with their attachments (``content_url``); Help Center articles (``draft`` → draft, a
``user_segment_id`` → internal, the locale as the language, labels as tags).

- Authentication: an API token as HTTP basic ``{email}/token:{token}`` (option ``email``), else
  the token as an OAuth bearer token.
- Rate limits: the incremental exports allow 10 requests a minute; a 429 is waited out as its
  ``Retry-After`` says (``importers.sources.http``), then the same page is asked again.
- Option ``per_page``: items per page of the exports and lists (default 1000 / 100).

Zendesk's ``via.channel`` becomes the channel; ticket custom fields (``custom_fields``, by id)
become custom fields named ``field-<id>`` (tagged or ignored per the mapping).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from importers.records import (
    AttachmentRecord,
    KBArticleRecord,
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

ROLES = {"end-user": "customer", "agent": "agent", "admin": "supervisor"}
CHANNELS = {"email": "email", "web": "web", "voice": "phone", "chat": "chat", "api": "api", "mobile": "web"}
STATES = ["new", "open", "pending", "hold", "solved", "closed"]
PRIORITIES = ["urgent", "high", "normal", "low"]


def _html_to_text(html: str) -> str:
    from importers.engine import html_to_text

    return html_to_text(html)


@register("zendesk")
class ZendeskSource(BaseSource):
    def __init__(self, location: str, **options: Any) -> None:
        super().__init__(location, **options)
        token = options.get("token")
        if not token:
            raise SourceError(
                "zendesk: give the API token (--token) and the admin's email (--option email=…)"
            )
        split = urlsplit(location)
        if split.scheme not in ("http", "https") or not split.netloc:
            raise SourceError(f"zendesk: not a URL: {location!r}")
        self.key = f"zendesk:{split.netloc}"
        self.per_page = int(options["per_page"]) if options.get("per_page") else None
        client = options.get("client")
        if client is None:
            email = options.get("email")
            client = JsonApi(
                location,
                auth=(f"{email}/token", token) if email else None,
                headers={} if email else {"Authorization": f"Bearer {token}"},
            )
        self.api = client
        self._organisations: dict[int, str] | None = None

    # -- reading ---------------------------------------------------------------------------------

    def _get(self, path: str, **params: Any) -> Any:
        try:
            return self.api.get(path, params=params or None)
        except SourceHTTPError as exc:
            raise SourceError(f"zendesk: {exc}") from exc

    def _incremental(self, kind: str, start: int, **params: Any) -> Iterator[dict[str, Any]]:
        """A cursor-based incremental export: ``start_time`` once, then ``after_url`` to the end."""
        if self.per_page:
            params["per_page"] = self.per_page
        page = self._get(f"/api/v2/incremental/{kind}/cursor.json", start_time=start, **params)
        while True:
            yield page
            if page.get("end_of_stream") or not page.get("after_url"):
                return
            page = self._get(page["after_url"])

    def _offset(self, path: str, kind: str) -> Iterator[dict[str, Any]]:
        page = self._get(path, per_page=min(self.per_page or 100, 100))
        while True:
            yield from page.get(kind) or []
            if not page.get("next_page"):
                return
            page = self._get(page["next_page"])

    def organisations(self) -> dict[int, str]:
        if self._organisations is None:
            self._organisations = {}
            page = self._get("/api/v2/incremental/organizations.json", start_time=0)
            while True:
                for org in page.get("organizations") or []:
                    self._organisations[org["id"]] = org.get("name") or ""
                if page.get("end_of_stream") or not page.get("next_page"):
                    break
                page = self._get(page["next_page"])
        return self._organisations

    # -- the kinds -------------------------------------------------------------------------------

    def teams(self) -> Iterator[TeamRecord]:
        for group in self._offset("/api/v2/groups.json", "groups"):
            if not group.get("deleted"):
                yield TeamRecord(source_id=str(group["id"]), name=group.get("name") or f"Group {group['id']}")

    def users(self) -> Iterator[UserRecord]:
        for page in self._incremental("users", 0):
            for user in page.get("users") or []:
                problems: list[Problem] = []
                yield UserRecord(
                    source_id=str(user["id"]),
                    email=(user.get("email") or "").strip(),
                    name=user.get("name") or "",
                    role=ROLES.get(user.get("role") or "", "customer"),
                    company=self.organisations().get(user.get("organization_id"), ""),
                    language=language(user.get("locale")),
                    active=bool(user.get("active", True)) and not user.get("suspended"),
                    team_source_ids=[str(user["default_group_id"])] if user.get("default_group_id") else [],
                    created_at=parse_time(user.get("created_at"), problems, "created_at"),
                    problems=problems,
                )

    def tickets(self, since: datetime | None = None) -> Iterator[TicketRecord]:
        start = int(since.timestamp()) if since else 0
        for page in self._incremental("tickets", start, exclude_deleted="true", include="metric_sets"):
            solved = {m["ticket_id"]: m.get("solved_at") for m in page.get("metric_sets") or []}
            for ticket in page.get("tickets") or []:
                yield self._ticket(ticket, solved.get(ticket["id"]))

    def _ticket(self, t: dict[str, Any], solved_at: str | None) -> TicketRecord:
        problems: list[Problem] = []
        status = t.get("status") or ""
        if status == "deleted":
            problems.append(Problem("deleted_in_source"))
        created = parse_time(t.get("created_at"), problems, "created_at")
        updated = parse_time(t.get("updated_at"), problems, "updated_at")
        resolved = parse_time(solved_at, problems, "solved_at") if status in ("solved", "closed") else None
        changes = [] if problems else self._status_changes(t["id"])
        closed = None
        if status == "closed":  # when it was closed, per its audits (else its last update)
            closed = next((c.at for c in reversed(changes) if c.state == "closed"), updated)
        fields = {
            f"field-{f['id']}": f.get("value")
            for f in t.get("custom_fields") or []
            if f.get("value") not in (None, "", [], False)
        }
        return TicketRecord(
            source_id=str(t["id"]),
            number=str(t["id"]),
            state_changes=changes,
            subject=t.get("subject") or t.get("raw_subject") or "",
            requester_source_id=str(t["requester_id"]) if t.get("requester_id") else None,
            state=status,
            priority=t.get("priority") or "",
            queue_source_id=str(t["group_id"]) if t.get("group_id") else None,
            assignee_source_id=str(t["assignee_id"]) if t.get("assignee_id") else None,
            tags=[str(tag) for tag in t.get("tags") or []],
            custom_fields=fields,
            created_at=created,
            updated_at=updated,
            resolved_at=resolved,
            closed_at=closed,
            channel=CHANNELS.get((t.get("via") or {}).get("channel") or "", ""),
            problems=problems,
        )

    def _status_changes(self, ticket_id: int) -> list[StateChange]:
        """The ticket's status changes as they happened, from its audits."""
        changes: list[StateChange] = []
        for audit in self._offset(f"/api/v2/tickets/{ticket_id}/audits.json", "audits"):
            when = parse_time(audit.get("created_at"), [], "created_at")
            author = audit.get("author_id")
            for event in audit.get("events") or []:
                if event.get("type") == "Change" and event.get("field_name") == "status" and when is not None:
                    changes.append(
                        StateChange(
                            state=str(event.get("value") or ""),
                            at=when,
                            by_source_id=str(author) if author and author > 0 else None,
                        )
                    )
        return changes

    def messages(self, ticket: TicketRecord) -> Iterator[MessageRecord]:
        page = self._get(f"/api/v2/tickets/{ticket.source_id}/comments.json", **{"page[size]": 100})
        while True:
            for c in page.get("comments") or []:
                problems: list[Problem] = []
                created = parse_time(c.get("created_at"), problems, "created_at")
                yield MessageRecord(
                    source_id=str(c["id"]),
                    ticket_source_id=ticket.source_id,
                    author_source_id=str(c["author_id"])
                    if c.get("author_id") and c["author_id"] > 0
                    else None,
                    body_text=c.get("plain_body") or c.get("body") or "",
                    body_html=c.get("html_body") or "",
                    internal=not c.get("public", True),
                    created_at=created,
                    attachments=[self._attachment(a, created) for a in c.get("attachments") or []],
                    problems=problems,
                )
            more = (page.get("meta") or {}).get("has_more")
            nxt = (page.get("links") or {}).get("next") if more else page.get("next_page")
            if not nxt:
                return
            page = self._get(nxt)

    def _attachment(self, a: dict[str, Any], created: datetime | None) -> AttachmentRecord:
        url = a.get("content_url") or ""

        def read() -> bytes:
            got = self.api.download(url, max_bytes=settings.HELPDESK_MAX_ATTACHMENT_BYTES)
            if got.too_large:
                raise ValueError("attachment larger than allowed")
            return got.content

        return AttachmentRecord(
            source_id=str(a["id"]),
            filename=a.get("file_name") or f"attachment-{a['id']}",
            content_type=a.get("content_type") or "application/octet-stream",
            size=a.get("size"),
            read=read if url and not a.get("deleted") else None,
            created_at=created,
        )

    def kb_articles(self) -> Iterator[KBArticleRecord]:
        for a in self._offset("/api/v2/help_center/articles.json", "articles"):
            problems: list[Problem] = []
            yield KBArticleRecord(
                source_id=str(a["id"]),
                title=a.get("title") or a.get("name") or "",
                body=_html_to_text(a.get("body") or ""),
                language=language(a.get("locale")),
                public=a.get("user_segment_id") is None,
                published=not a.get("draft"),
                tags=[str(label) for label in a.get("label_names") or []],
                created_at=parse_time(a.get("created_at"), problems, "created_at"),
                updated_at=parse_time(a.get("updated_at"), problems, "updated_at"),
                problems=problems,
            )

    def describe_values(self) -> dict[str, list[str]]:
        return {
            "states": STATES,
            "priorities": PRIORITIES,
            "queues": [g.get("name") or "" for g in self._offset("/api/v2/groups.json", "groups")],
        }

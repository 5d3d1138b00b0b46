"""Zammad's REST API (v1) played from the fixture files in fixtures/zammad/.

What it reproduces of the real thing (docs.zammad.org, "API → Introduction",
"Ticket", "Articles", "Tags", "Attachments"):
- ``Authorization: Token token=<token>`` or 401;
- index endpoints answer a JSON array, paginated by ``page`` (1-based) and
  ``per_page``; ``expand=true`` adds the names (the fixtures hold the
  expanded shape, ``expand`` missing strips them again);
- ``/api/v1/tickets/search?query=…&sort_by=…&order_by=…`` with a range on
  ``updated_at`` (the only query the importer sends), answering an array
  with ``expand=true``;
- ``/api/v1/ticket_articles/by_ticket/<id>`` (not paginated),
  ``/api/v1/tags?object=Ticket&o_id=<id>`` → ``{"tags": [...]}``,
  ``/api/v1/ticket_history/<id>`` → ``{"history": [...], "assets": {...}}``,
  ``/api/v1/ticket_attachment/<ticket>/<article>/<attachment>`` → the bytes.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from tests.importers.fakeapi import Reply, Request

FIXTURES = Path(__file__).parent / "fixtures" / "zammad"
EXPANDED_NAMES = {
    "group",
    "organization",
    "state",
    "priority",
    "owner",
    "customer",
    "created_by",
    "updated_by",
    "create_article_type",
    "create_article_sender",
    "roles",
    "state_type",
    "type",
    "sender",
}


class ZammadData:
    def __init__(self, token: str = "zammad-token"):
        self.token = token
        self.lists = {
            name: json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
            for name in ("organizations", "groups", "users", "tickets", "ticket_states", "ticket_priorities")
        }

    def ticket(self, ticket_id: int) -> dict:
        return next(t for t in self.lists["tickets"] if t["id"] == ticket_id)

    def __call__(self, request: Request) -> Reply:
        if request.headers.get("Authorization") != f"Token token={self.token}":
            return Reply(status=401, body={"error": "authentication failed"})
        path = request.path
        expand = request.query.get("expand") == "true"
        index = re.fullmatch(
            r"/api/v1/(organizations|groups|users|tickets|ticket_states|ticket_priorities)", path
        )
        if index:
            items = self.lists[index.group(1)]
            return Reply(body=_page(items, request.query, expand))
        if path == "/api/v1/tickets/search":
            match = re.fullmatch(r'updated_at:\["([^"]+)" TO \*\]', request.query.get("query", ""))
            if not match:
                return Reply(status=422, body={"error": "unsupported query"})
            since = match.group(1).replace("Z", "")
            found = [t for t in self.lists["tickets"] if t["updated_at"].replace("Z", "") >= since]
            found.sort(key=lambda t: t["updated_at"], reverse=request.query.get("order_by") == "desc")
            return Reply(body=_page(found, request.query, expand))
        articles = re.fullmatch(r"/api/v1/ticket_articles/by_ticket/(\d+)", path)
        if articles:
            file = FIXTURES / "articles" / f"{articles.group(1)}.json"
            if not file.exists():
                return Reply(status=404, body={"error": "Not authorized"})
            # Raw: the file may hold escapes Python's json would not write (lone surrogates).
            raw = file.read_bytes()
            return Reply(raw=raw if expand else json.dumps(_strip(json.loads(raw), expand)).encode())
        history = re.fullmatch(r"/api/v1/ticket_history/(\d+)", path)
        if history:
            file = FIXTURES / "history" / f"{history.group(1)}.json"
            return Reply(
                body=json.loads(file.read_text()) if file.exists() else {"history": [], "assets": {}}
            )
        if path == "/api/v1/tags":
            file = FIXTURES / "tags" / f"{request.query.get('o_id')}.json"
            return Reply(body=json.loads(file.read_text()) if file.exists() else {"tags": []})
        attachment = re.fullmatch(r"/api/v1/ticket_attachment/(\d+)/(\d+)/(\d+)", path)
        if attachment:
            file = FIXTURES / "attachments" / f"{attachment.group(3)}.bin"
            if not file.exists():
                return Reply(status=404, body={"error": "Not found"})
            return Reply(raw=file.read_bytes(), content_type="application/octet-stream")
        return Reply(status=404, body={"error": "No route matches"})


def _page(items: list[dict], query: dict[str, str], expand: bool) -> list[dict]:
    page = int(query.get("page", 1))
    per_page = min(int(query.get("per_page", 100)), 500)
    chunk = items[(page - 1) * per_page : page * per_page]
    return _strip(copy.deepcopy(chunk), expand)


def _strip(items: list[dict], expand: bool) -> list[dict]:
    if expand:
        return items
    return [{key: value for key, value in item.items() if key not in EXPANDED_NAMES} for item in items]

"""Zendesk's Support and Help Center APIs played from the fixture files in fixtures/zendesk/.

What it reproduces (developer.zendesk.com, "Incremental Exports", "Ticket Comments", "Groups",
"Help Center Articles", "Pagination"):
- HTTP basic auth as ``{email}/token:{api_token}`` or 401;
- cursor-based incremental exports of tickets and users
  (``/api/v2/incremental/{tickets,users}/cursor.json?start_time=<unix>`` then ``?cursor=…``):
  ``{"tickets": [...], "after_url", "after_cursor", "before_url", "before_cursor", "end_of_stream"}``,
  oldest change first, ``per_page`` items a page, ``include=metric_sets`` sideloading the metrics;
- the time-based organisations export (``next_page``, ``end_time``, ``count``, ``end_of_stream``);
- offset pagination of groups and articles (``next_page`` until null);
- ticket audits (``/api/v2/tickets/<id>/audits.json``, offset pagination);
- cursor pagination of comments (``page[size]``, ``page[after]``; ``meta.has_more``, ``links.next``);
- attachments' ``content_url`` → the bytes.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from tests.importers.fakeapi import Reply, Request

FIXTURES = Path(__file__).parent / "fixtures" / "zendesk"


def _epoch(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class ZendeskData:
    def __init__(self, email: str = "admin@helpdesk.example", token: str = "zendesk-token"):
        self.auth = "Basic " + base64.b64encode(f"{email}/token:{token}".encode()).decode()
        self.base = ""

    def _load(self, name: str):  # noqa: ANN202
        text = (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", self.base)
        return json.loads(text)

    def __call__(self, request: Request) -> Reply:
        self.base = f"http://{request.headers.get('Host')}"
        if request.headers.get("Authorization") != self.auth:
            return Reply(status=401, body={"error": "Couldn't authenticate you"})
        path, q = request.path, request.query
        cursor = re.fullmatch(r"/api/v2/incremental/(tickets|users)/cursor\.json", path)
        if cursor:
            return self._cursor_export(cursor.group(1), q, path)
        if path == "/api/v2/incremental/organizations.json":
            start = float(q.get("start_time", 0))
            items = [o for o in self._load("organizations.json") if _epoch(o["updated_at"]) >= start]
            end = max((_epoch(o["updated_at"]) for o in items), default=start)
            return Reply(
                body={
                    "organizations": items,
                    "next_page": f"{self.base}{path}?start_time={int(end)}",
                    "count": len(items),
                    "end_of_stream": True,
                    "end_time": int(end),
                }
            )
        if path == "/api/v2/groups.json":
            return Reply(body=self._offset("groups", self._load("groups.json"), q, path))
        if path == "/api/v2/help_center/articles.json":
            body = self._offset("articles", self._load("articles.json"), q, path)
            body.update(sort_by="position", sort_order="asc")
            return Reply(body=body)
        comments = re.fullmatch(r"/api/v2/tickets/(\d+)/comments\.json", path)
        if comments:
            file = FIXTURES / "comments" / f"{comments.group(1)}.json"
            if not file.exists():
                return Reply(status=404, body={"error": "RecordNotFound"})
            # Lone surrogate escapes in the file survive json.loads/json.dumps as they are.
            items = self._load(f"comments/{comments.group(1)}.json")
            size = int(q.get("page[size]", 100))
            start = int(q.get("page[after]", 0))
            more = start + size < len(items)
            after = str(start + size) if more else None
            nxt = (
                f"{self.base}{path}?{urlencode({'page[size]': size, 'page[after]': after})}" if more else None
            )
            return Reply(
                body={
                    "comments": items[start : start + size],
                    "meta": {"has_more": more, "after_cursor": after, "before_cursor": None},
                    "links": {"next": nxt, "prev": None},
                }
            )
        audits = re.fullmatch(r"/api/v2/tickets/(\d+)/audits\.json", path)
        if audits:
            file = FIXTURES / "audits" / f"{audits.group(1)}.json"
            items = self._load(f"audits/{audits.group(1)}.json") if file.exists() else []
            return Reply(
                body={"audits": items, "next_page": None, "previous_page": None, "count": len(items)}
            )
        token = re.fullmatch(r"/attachments/token/(\w+)/", path)
        if token:
            file = FIXTURES / "attachments" / f"{token.group(1)}.bin"
            if not file.exists():
                return Reply(status=404, body={"error": "Not found"})
            return Reply(raw=file.read_bytes(), content_type="image/png")
        return Reply(status=404, body={"error": "InvalidEndpoint"})

    def _cursor_export(self, kind: str, q: dict[str, str], path: str) -> Reply:
        if "cursor" in q:
            start, offset = (float(x) for x in base64.b64decode(q["cursor"]).decode().split(":"))
        elif "start_time" in q:
            start, offset = float(q["start_time"]), 0
        else:
            return Reply(status=400, body={"error": "InvalidPaginationParameter"})
        items = sorted(
            (i for i in self._load(f"{kind}.json") if _epoch(i["updated_at"]) >= start),
            key=lambda i: i["updated_at"],
        )
        size = min(int(q.get("per_page", 1000)), 1000)
        offset = int(offset)
        chunk = items[offset : offset + size]
        end = offset + size >= len(items)
        after = base64.b64encode(f"{start}:{offset + size}".encode()).decode()
        body = {
            kind: chunk,
            "after_url": f"{self.base}{path}?{urlencode({'cursor': after, **({'include': q['include']} if 'include' in q else {}), 'per_page': size})}",
            "after_cursor": after,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": end,
        }
        if kind == "tickets" and q.get("include") == "metric_sets":
            ids = {t["id"] for t in chunk}
            body["metric_sets"] = [m for m in self._load("metric_sets.json") if m["ticket_id"] in ids]
        return Reply(body=body)

    def _offset(self, kind: str, items: list, q: dict[str, str], path: str) -> dict:
        page = int(q.get("page", 1))
        per_page = min(int(q.get("per_page", 100)), 100)
        chunk = items[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(items)
        return {
            kind: chunk,
            "next_page": f"{self.base}{path}?page={page + 1}&per_page={per_page}" if more else None,
            "previous_page": f"{self.base}{path}?page={page - 1}&per_page={per_page}" if page > 1 else None,
            "page": page,
            "per_page": per_page,
            "page_count": max(1, -(-len(items) // per_page)),
            "count": len(items),
        }

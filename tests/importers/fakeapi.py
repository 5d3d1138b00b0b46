"""A local HTTP server that plays a helpdesk's API for the importer tests.

Each test starts one in a thread on a free port. It answers from fixture data
shaped like the documented responses, paginates the way the real API does, and
answers the first request to each listed path 429 with ``Retry-After`` so the
client's waiting is exercised against a real socket.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


Handler = Callable[[Request], Reply]


class FakeApi:
    def __init__(self, handler: Handler, *, throttle_once: tuple[str, ...] = (), retry_after: str = "1"):
        self.handler = handler
        self.throttle_once = set(throttle_once)
        self.retry_after = retry_after
        self.log: list[tuple[int, str]] = []
        self._throttled: set[str] = set()
        self._lock = threading.Lock()
        api = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                split = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(split.query).items()}
                request = Request(path=split.path, query=query, headers=dict(self.headers.items()))
                with api._lock:
                    throttle = split.path in api.throttle_once and split.path not in api._throttled
                    if throttle:
                        api._throttled.add(split.path)
                if throttle:
                    reply = Reply(
                        status=429,
                        body={"error": "Too Many Requests"},
                        headers={"Retry-After": api.retry_after},
                    )
                else:
                    reply = api.handler(request)
                with api._lock:
                    api.log.append((reply.status, self.path))
                data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def statuses(self, path: str) -> list[int]:
        return [status for status, logged in self.log if urlsplit(logged).path == path]


def load(path) -> Any:  # noqa: ANN001
    return json.loads(path.read_text(encoding="utf-8"))

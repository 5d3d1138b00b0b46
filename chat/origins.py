"""Which pages may open a chat WebSocket: checked at the handshake, before any consumer runs.

Our own hosts (``ALLOWED_HOSTS``, as channels' ``AllowedHostsOriginValidator``) for everything; for the
customer's endpoint also the websites a supervisor allowed to embed the widget (``ChatSettings``).
The agents' endpoint is never open to another site.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlparse

from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier

AGENT_PATH = "/ws/chat/agent/"
# The supervisors' list is read at most this often per process (a change applies within seconds).
ORIGINS_TTL_SECONDS = 5.0
_cache: dict[str, Any] = {"at": 0.0, "origins": set()}


def clear_origins_cache() -> None:
    _cache["at"] = 0.0


@database_sync_to_async
def _supervisor_origins() -> set[str]:
    from .models import ChatSettings

    return ChatSettings.load().origins()


async def embed_origins() -> set[str]:
    if time.monotonic() - _cache["at"] > ORIGINS_TTL_SECONDS:
        _cache["origins"] = await _supervisor_origins()
        _cache["at"] = time.monotonic()
    return _cache["origins"]


def _origin_of(scope: dict) -> Any:
    for name, value in scope.get("headers", []):
        if name == b"origin":
            try:
                return urlparse(value.decode("latin1"))
            except UnicodeDecodeError:
                return None
    return None


class ChatOriginValidator:
    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        origin = _origin_of(scope)
        # Built per connection: ALLOWED_HOSTS is read when it is used, not at import.
        if AllowedHostsOriginValidator(self.application).valid_origin(origin):
            return await self.application(scope, receive, send)
        if origin is not None and origin.hostname and not scope.get("path", "").startswith(AGENT_PATH):
            wanted = f"{origin.scheme}://{origin.netloc}".lower()
            if wanted in await embed_origins():
                return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)

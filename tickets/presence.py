"""Who else has a ticket open, and who is typing a reply: heartbeats kept in the Django cache.

Each agent's heartbeat is its own key that expires after ``HELPDESK_PRESENCE_TTL_SECONDS``,
so a closed tab disappears by itself. A per-ticket index key lists the agents seen recently;
a lost update of that index is repaired by the next heartbeat a few seconds later.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

TYPING_SECONDS = 8  # a keystroke counts as "typing" for this long


def _user_key(ticket_id: int, user_id: int) -> str:
    return f"presence:{ticket_id}:u:{user_id}"


def _index_key(ticket_id: int) -> str:
    return f"presence:{ticket_id}:ids"


def presence_touch(*, ticket_id: int, user: Any, typing: bool = False) -> None:
    ttl = settings.HELPDESK_PRESENCE_TTL_SECONDS
    now = time.time()
    key = _user_key(ticket_id, user.pk)
    previous = cache.get(key) or {}
    name = user.get_full_name() or user.username
    typing_until = now + TYPING_SECONDS if typing else float(previous.get("typing_until", 0))
    cache.set(key, {"name": name, "typing_until": typing_until}, timeout=ttl)
    ids = set(cache.get(_index_key(ticket_id)) or ())
    if user.pk not in ids:
        ids.add(user.pk)
        cache.set(_index_key(ticket_id), sorted(ids), timeout=ttl * 3)


def presence_others(*, ticket_id: int, user: Any) -> list[dict[str, Any]]:
    """The other agents whose heartbeat is fresh, with ``typing`` when they typed in the last seconds."""
    ids = [i for i in (cache.get(_index_key(ticket_id)) or ()) if i != user.pk]
    if not ids:
        return []
    found = cache.get_many([_user_key(ticket_id, i) for i in ids])
    now = time.time()
    out = []
    for value in found.values():
        name = value.get("name", "?")
        out.append(
            {
                "name": name,
                "initials": "".join(p[0] for p in name.split()[:2]).upper() or "?",
                "typing": float(value.get("typing_until", 0)) > now,
            }
        )
    return sorted(out, key=lambda v: v["name"])

"""Mentions in note text: ``@[Full Name|42]``, as the note box's autocomplete writes them.

The id is the stable reference (a renamed agent still is the one mentioned); the name inside is what the
author saw, so the raw text (API, search, mails) stays readable. Pages show the agent's *current* full name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Names the autocomplete inserts never contain "]", "|" or a line break (it strips them).
MENTION_RE = re.compile(r"@\[([^\]|\n]{1,150})\|(\d{1,12})\]")
# A note naming more people than this is a broadcast, not a mention: the rest stay plain text.
MAX_MENTIONS = 20


def mention_ids(text: str) -> list[int]:
    """The user ids mentioned in ``text``, in order of first appearance, at most ``MAX_MENTIONS``."""
    ids = dict.fromkeys(int(m.group(2)) for m in MENTION_RE.finditer(text or ""))
    return list(ids)[:MAX_MENTIONS]


def mention_flatten(text: str, names: dict[int, str] | None = None) -> str:
    """``@[Ben Novak|42]`` → ``@Ben Novak`` (the current name when ``names`` has it): plain text for a
    customer, a mail or an excerpt."""
    names = names or {}
    return MENTION_RE.sub(lambda m: "@" + names.get(int(m.group(2)), m.group(1)), text or "")


def token(*, user: Any) -> str:
    """The text the autocomplete inserts for ``user``."""
    name = re.sub(r"[\]|\n\r]", " ", user.get_full_name() or user.username).strip()
    return f"@[{name}|{user.pk}]"


def mention_html(text: str, mentioned: dict[int, tuple[str, bool]]) -> SafeString:
    """The note's text, escaped, with each known mention as the agent's current name.

    ``mentioned``: user id → (full name, notified). Tokens naming anyone else (a hand-typed id of a
    customer) stay as typed; a mention that reached nobody says so next to the name.
    """
    parts: list[str] = []
    last = 0
    for m in MENTION_RE.finditer(text):
        known = mentioned.get(int(m.group(2)))
        if known is None:
            continue
        parts.append(conditional_escape(text[last : m.start()]))
        name, notified = known
        parts.append(format_html('<span class="mention" data-user="{}">@{}</span>', m.group(2), name))
        if not notified:
            parts.append(
                format_html(
                    ' <span class="badge badge-warning mention-undelivered">{}</span>',
                    _("not notified: cannot see this ticket"),
                )
            )
        last = m.end()
    parts.append(conditional_escape(text[last:]))
    # Every part is escaped above or built by format_html.
    return mark_safe("".join(parts))  # noqa: S308


def render_message_bodies(messages: Iterable[Any]) -> dict[int, SafeString]:
    """The timeline hook (``tickets.panels.message_body_renderers``): bodies with mentions, one query for
    all messages of the page, none when no body holds a mention."""
    from .models import Mention

    with_tokens = [m for m in messages if "@[" in (m.body or "")]
    if not with_tokens:
        return {}
    rows = Mention.objects.filter(message__in=[m.pk for m in with_tokens]).select_related("user")
    by_message: dict[int, dict[int, tuple[str, bool]]] = {}
    for row in rows.only(
        "message", "user", "notified", "user__first_name", "user__last_name", "user__username"
    ):
        name = row.user.get_full_name() or row.user.username
        by_message.setdefault(row.message_id, {})[row.user_id] = (name, row.notified)
    return {m.pk: mention_html(m.body, by_message[m.pk]) for m in with_tokens if m.pk in by_message}

"""Normalised records a source yields; the engine knows nothing else of a source.

Plain dataclasses: every value already decoded (text is ``str``, times are aware ``datetime``s
or ``None``). A source that cannot decode a value leaves it as found (e.g. a bad date as the
original text in ``problems``) and the engine reports the row and skips it: ``problems`` is the
source's way to say "this row is broken, here is why" without raising.

Source ids are strings (whatever the source uses: a number, a UUID), unique per kind within one
source; ``ImportedRecord`` keys on (source key, kind, source id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Problem:
    """Why a record cannot be imported as it is (reported with its source id, then skipped)."""

    reason: str  # short code: "missing_requester", "bad_date", "bad_encoding", "unknown_state", ...
    detail: str = ""


@dataclass
class TeamRecord:
    """A queue / group / department."""

    source_id: str
    name: str
    email: str = ""
    problems: list[Problem] = field(default_factory=list)


@dataclass
class UserRecord:
    source_id: str
    email: str
    name: str = ""  # the full name as the source has it ("Anna Weber"); split by the engine
    first_name: str = ""
    last_name: str = ""
    username: str = ""  # the source's login name; our username is made unique by the engine
    role: str = "customer"  # "customer" | "agent" | "supervisor" (the source maps its own roles)
    company: str = ""  # company / organisation name: a customer joins that organisation
    language: str = ""
    active: bool = True
    team_source_ids: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class AttachmentRecord:
    source_id: str
    filename: str
    content_type: str = "application/octet-stream"
    size: int | None = None  # known size in bytes (checked against the limit before reading)
    # Returns the bytes when called (read lazily: a source must not hold every file in memory).
    read: Callable[[], bytes] | None = None
    created_at: datetime | None = None


@dataclass
class MessageRecord:
    source_id: str
    ticket_source_id: str
    author_source_id: str | None  # None: unknown author (kept as a system message)
    body_text: str = ""
    body_html: str = ""  # used (as text) when body_text is empty
    internal: bool = False
    created_at: datetime | None = None
    # The state the ticket moved to with this message, if the source records it per message
    # (django-helpdesk's follow-up ``new_status``): becomes a status event at this time.
    new_state: str | None = None
    attachments: list[AttachmentRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class StateChange:
    """A past change of the ticket's state (for reopen counts and resolution times)."""

    state: str  # the source's state value (mapped like the ticket's)
    at: datetime
    by_source_id: str | None = None


@dataclass
class TicketRecord:
    source_id: str
    number: str  # the original number as the customers know it ("123", "#4711", "ZD-88")
    subject: str
    requester_source_id: str | None
    state: str  # the source's value; mapped via ``states``
    priority: str = ""  # the source's value; mapped via ``priorities``
    queue_source_id: str | None = None  # a TeamRecord's source id
    queue: str = ""  # the queue's name when the source has no team records
    category: str = ""
    assignee_source_id: str | None = None
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    description: str = ""  # the first text; if empty, the first public message is the description
    created_at: datetime | None = None
    updated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: str = ""
    channel: str = ""  # "email", "web", "phone", ... ("" → web)
    language: str = ""
    # Messages of this ticket, in time order. A source may fill it (then ``Source.messages`` is not
    # asked for this ticket) or leave it None and yield them from ``Source.messages(ticket)``.
    messages: list[MessageRecord] | None = None
    state_changes: list[StateChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class KBCategoryRecord:
    source_id: str
    name: str
    description: str = ""
    parent_source_id: str | None = None


@dataclass
class KBArticleRecord:
    source_id: str
    title: str
    body: str  # Markdown or plain text (HTML converted to text by the source or the engine)
    language: str = "en"
    category_source_id: str | None = None
    public: bool = True
    published: bool = True
    tags: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    problems: list[Problem] = field(default_factory=list)

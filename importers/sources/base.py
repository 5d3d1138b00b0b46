"""What a source is, and how one is registered under the name ``--from NAME`` picks.

A source is constructed with the SOURCE argument (a path, a DATABASE_URL, a URL) and options
(``token``, ``columns`` …) and yields records per kind. The engine asks for the kinds in this
order, each iterator being walked once and streamed (a source must not load a whole table):

    teams() → users() → tickets() (→ messages(ticket) for tickets whose ``messages`` is None)
    → kb_categories() → kb_articles()

``since`` (aware datetime or None): when given, ``tickets()`` yields only tickets changed at or
after it (a source that cannot filter may yield all: the engine's fingerprints skip what did not
change). ``key`` names this source's data independently of a run (e.g. "django-helpdesk:" + the
database's file name or host/dbname), so re-running against the same data finds what was imported.

Registering::

    from importers.sources.base import register

    @register("zammad")
    class ZammadSource:
        def __init__(self, location: str, **options): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from importers.records import (
    KBArticleRecord,
    KBCategoryRecord,
    MessageRecord,
    TeamRecord,
    TicketRecord,
    UserRecord,
)


class SourceError(Exception):
    """The source as a whole cannot be read (unreachable, wrong format): the import stops with this
    message. A broken *row* is never this: it is a record with ``problems``."""


@runtime_checkable
class Source(Protocol):
    name: str  # the registered name ("django-helpdesk")
    key: str  # stable across runs for the same data (see module docstring)

    def teams(self) -> Iterator[TeamRecord]: ...

    def users(self) -> Iterator[UserRecord]: ...

    def tickets(self, since: datetime | None = None) -> Iterator[TicketRecord]: ...

    def messages(self, ticket: TicketRecord) -> Iterator[MessageRecord]: ...

    def kb_categories(self) -> Iterator[KBCategoryRecord]: ...

    def kb_articles(self) -> Iterator[KBArticleRecord]: ...

    def describe_values(self) -> dict[str, list[str]]:
        """The values the mapping maps, as found in the source: ``{"states": [...], "priorities":
        [...], "queues": [...], "categories": [...], "custom_fields": [...]}`` (names, not ids). The
        engine builds the default mapping (printed by ``--dry-run``) from it."""
        ...

    def count_tickets(self, since: datetime | None = None) -> int | None: ...

    def close(self) -> None: ...


class BaseSource:
    """Defaults for the optional kinds: a source overrides what it has."""

    name = ""
    key = ""

    def __init__(self, location: str, **options: Any) -> None:
        self.location = location
        self.options = options

    def teams(self) -> Iterator[TeamRecord]:
        return iter(())

    def users(self) -> Iterator[UserRecord]:
        return iter(())

    def tickets(self, since: datetime | None = None) -> Iterator[TicketRecord]:
        return iter(())

    def messages(self, ticket: TicketRecord) -> Iterator[MessageRecord]:
        return iter(())

    def kb_categories(self) -> Iterator[KBCategoryRecord]:
        return iter(())

    def kb_articles(self) -> Iterator[KBArticleRecord]:
        return iter(())

    def describe_values(self) -> dict[str, list[str]]:
        return {}

    def count_tickets(self, since: datetime | None = None) -> int | None:
        """How many tickets ``tickets(since)`` will yield, for a progress bar; None when the source
        cannot tell cheaply (the bar then shows only how many are done)."""
        return None

    def close(self) -> None:
        return None


SOURCES: dict[str, Callable[..., Source]] = {}
# Modules that register sources (imported on first lookup, so a missing driver of one source, e.g.
# PyMySQL, does not break the others).
SOURCE_MODULES: dict[str, str] = {
    "csv": "importers.sources.csv_source",
    "django-helpdesk": "importers.sources.django_helpdesk",
    "zammad": "importers.sources.zammad",
    "zendesk": "importers.sources.zendesk",
    "osticket": "importers.sources.osticket",
}


def register(name: str) -> Callable[[type], type]:
    def deco(cls: type) -> type:
        cls.name = name
        SOURCES[name] = cls
        return cls

    return deco


def source_open(name: str, location: str, **options: Any) -> Source:
    """The source registered as ``name``, opened on ``location``."""
    if name not in SOURCES and name in SOURCE_MODULES:
        import importlib

        importlib.import_module(SOURCE_MODULES[name])
    if name not in SOURCES:
        raise SourceError(f"Unknown source {name!r}; known: {', '.join(sorted(SOURCE_MODULES))}")
    return SOURCES[name](location, **options)

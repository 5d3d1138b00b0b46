"""What the escalation pages take from the knowledge base: ticked checklist steps and article titles.

The knowledge base is optional here (this app depends on ``tickets`` only; the knowledge base reads
handoffs the same way): without it there are no steps to carry over and no articles to pick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tickets.models import Ticket

try:
    from knowledgebase import search as kb_search
    from knowledgebase import selectors as kb_selectors
except ImportError:  # pragma: no cover - the knowledge base is installed in this project
    kb_search = kb_selectors = None  # type: ignore[assignment]

SEARCH_LIMIT = 8
SUGGESTIONS = 5


@dataclass(frozen=True)
class ArticleRef:
    pk: int
    title: str
    url: str


def ticked_steps(ticket: Ticket) -> list[str]:
    """The checklist steps ticked on this ticket, in checklist order."""
    return kb_selectors.ticked_steps(ticket) if kb_selectors else []


def _refs(articles: Iterable[Any]) -> list[ArticleRef]:
    return [ArticleRef(a.pk, a.title, a.get_absolute_url()) for a in articles]


def articles_by_id(*, user: Any, ids: Iterable[int]) -> dict[int, ArticleRef]:
    """The articles of ``ids`` that ``user`` may see (one query); ids of others are left out."""
    ids = {int(i) for i in ids}
    if not ids or kb_selectors is None:
        return {}
    qs = kb_selectors.article_visible_qs(user=user).filter(pk__in=ids).only("id", "slug", "title")
    return {ref.pk: ref for ref in _refs(qs)}


def article_search(
    *, user: Any, query: str, language: str | None, exclude: Iterable[int] = ()
) -> list[ArticleRef]:
    """Published articles for the words an agent typed, best first (titles to pick from)."""
    if kb_search is None or len(query.strip()) < 2:
        return []
    exclude = set(exclude)
    hits = kb_search.search(
        qs=kb_selectors.article_published_qs(user=user).exclude(pk__in=exclude),
        query=query,
        language=language,
        limit=SEARCH_LIMIT,
    )
    return _refs(h.article for h in hits)


def article_suggestions(*, user: Any, ticket: Ticket) -> list[ArticleRef]:
    """The articles the ticket page suggests for this ticket (what the agent most likely tried)."""
    if kb_search is None:
        return []
    hits = kb_search.search(
        qs=kb_selectors.article_published_qs(user=user),
        query=f"{ticket.subject} {ticket.description}",
        language=ticket.language,
        limit=SUGGESTIONS,
    )
    return _refs(h.article for h in hits)

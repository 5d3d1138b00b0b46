"""Reads. Visibility lives here, in one selector per model, used by every page, API and export."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import Http404

from accounts.models import User
from organisations.selectors import shared_requesters

from .models import (
    REFERENCE_RE,
    Attachment,
    Category,
    Message,
    Tag,
    Ticket,
    TicketEvent,
)

# Text search configuration of the search documents (migration 0006_ticket_search_document).
SEARCH_CONFIG = "simple"


def _is_agent(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_agent)


def ticket_visible_qs(*, user: Any) -> QuerySet[Ticket]:
    """Tickets this user may see: agents all, customers their own and, through an organisation that
    shares them with them (``organisations.selectors.shared_requesters``), its members' tickets;
    anonymous none."""
    qs = Ticket.objects.all()
    if not (user and user.is_authenticated):
        return qs.none()
    if user.is_agent:
        return qs
    return qs.filter(Q(requester=user) | Q(requester_id__in=shared_requesters(user=user)))


def ticket_get_for_user(*, user: Any, pk: int | str, for_update: bool = False) -> Ticket:
    """The ticket, or 404 exactly as for an id that does not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = ticket_visible_qs(user=user).select_related("requester", "team", "assignee", "category")
    try:
        return qs.get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def requester_open_tickets(*, user: Any, requester: Any, limit: int = 10) -> list[Ticket]:
    """The requester's open tickets that ``user`` may see, newest first (log a call: add to one of these)."""
    qs = ticket_visible_qs(user=user).filter(requester=requester, status__in=Ticket.OPEN_STATUSES)
    return list(qs.order_by("-id")[:limit])


def merged_source_ids(*, user: Any, ticket: Ticket) -> list[int]:
    """Tickets merged into ``ticket`` whose messages ``user`` may read on its page (``tickets.merge``):
    agents all of them, a customer only those that were their own requests."""
    qs = Ticket.objects.filter(merged_into=ticket)
    if not _is_agent(user):
        qs = qs.filter(requester_id=ticket.requester_id)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def message_visible_qs(*, user: Any, ticket: Ticket, merged: list[int] | None = None) -> QuerySet[Message]:
    """The ticket's messages (and those of the merged-away tickets in ``merged``) ``user`` may read."""
    qs = Message.objects.filter(ticket_id__in=[ticket.pk, *merged]) if merged else ticket.messages.all()
    qs = qs.select_related("author")
    return qs if _is_agent(user) else qs.filter(internal=False)


def attachment_visible_qs(
    *, user: Any, ticket: Ticket, merged: list[int] | None = None
) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(ticket_id__in=[ticket.pk, *merged]) if merged else ticket.attachments.all()
    return qs if _is_agent(user) else qs.filter(internal=False)


def event_visible_qs(*, user: Any, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The audit trail is for agents only."""
    if not _is_agent(user):
        return TicketEvent.objects.none()
    return ticket.events.select_related("actor")


def ticket_tagged(*, qs: QuerySet[Ticket], names: list[str]) -> QuerySet[Ticket]:
    """``qs`` narrowed to tickets with at least one of the tags ``names``: a semi-join on the tag
    links (no join of the ticket rows, so no duplicates and no DISTINCT). The tags' ids are looked
    up first (one query): by id PostgreSQL knows how common a tag is and walks the newest tickets for
    a common one (0.5 ms at 1M tickets, 20k of them tagged) instead of collecting all its links
    (150 ms), which it does when it only sees a name."""
    ids = list(Tag.objects.filter(name__in=names).values_list("pk", flat=True))
    links = Ticket.tags.through.objects.filter(tag_id__in=ids).values("ticket_id")
    return qs.filter(pk__in=links) if ids else qs.none()


def _reading_order(name: str) -> str:
    """A sort key in the order a reader expects: case folded, umlauts and accents as their letter."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))


def category_tree() -> list[Category]:
    """Categories in tree order with ``depth`` set, for pickers: siblings in the alphabetical order of
    the names shown in the active language (German ones while German is active)."""
    by_parent: dict[int | None, list[Category]] = {}
    for cat in sorted(Category.objects.all(), key=lambda c: _reading_order(c.localized_name)):
        by_parent.setdefault(cat.parent_id, []).append(cat)
    out: list[Category] = []

    def walk(parent: int | None, depth: int) -> None:
        for cat in by_parent.get(parent, []):
            cat.depth = depth  # type: ignore[attr-defined]
            out.append(cat)
            walk(cat.pk, depth + 1)

    walk(None, 0)
    return out


# Search documents (``TicketSearch``) carry subject A, description B, public messages C, internal notes D.
_PUBLIC_WEIGHTS = "{a,b,c}"
# Relevance ranks this many of the newest matches (ranking every match of a common word would read
# tens of thousands of documents); an explicit ``ordering`` sorts all matches instead.
SEARCH_RANK_CANDIDATES = 200
# What a ticket named exactly (its reference, its requester's email) adds: above any text match.
EXACT_MATCH_RANK = 100.0
# The newest matches among all documents. PostgreSQL's row estimates cannot tell a word in 4 % of the
# tickets from one in 3 of them, and the plan that is best for one is ruinous for the other (walking
# the primary key backwards testing each document: 2 ms for "drucker", 2-3 s reading all 1M documents
# for a rare word; the GIN index: 3 ms for the rare word, 300 ms fetching 43k documents for "drucker").
# So both, in turn: first the newest RECENT_WINDOW documents walked backwards, newest first (``coalesce``
# keeps that part off the GIN index); only when they hold fewer matches than wanted (a rarer word), the
# older ones through the GIN index (``+ 0`` keeps that part off the primary key). Append runs its parts
# in order and LIMIT stops it as soon as it has enough.
RECENT_WINDOW = 20_000
_NEWEST_MATCHES = f"""
SELECT ticket_id FROM (
  (SELECT ticket_id FROM tickets_ticketsearch
   WHERE ticket_id > (SELECT max(ticket_id) - {RECENT_WINDOW} FROM tickets_ticketsearch)
     AND coalesce(document, ''::tsvector) @@ websearch_to_tsquery(%s::regconfig, %s)
   ORDER BY ticket_id DESC)
  UNION ALL
  (SELECT ticket_id FROM tickets_ticketsearch
   WHERE ticket_id + 0 <= (SELECT max(ticket_id) - {RECENT_WINDOW} FROM tickets_ticketsearch)
     AND document @@ websearch_to_tsquery(%s::regconfig, %s)
   ORDER BY ticket_id + 0 DESC)
) newest LIMIT %s
"""
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _search_document(user: Any) -> Any:
    """The part of a ticket's search document ``user`` may match on: customers never internal notes."""
    if _is_agent(user):
        return F("search_document__document")
    return Func(
        F("search_document__document"),
        function="ts_filter",
        template=f"%(function)s(%(expressions)s, '{_PUBLIC_WEIGHTS}'::\"char\"[])",
        output_field=SearchVectorField(),
    )


def _search_query(q: str) -> SearchQuery:
    return SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")


def ticket_search(*, qs: QuerySet[Ticket], user: Any, q: str) -> QuerySet[Ticket]:
    """``qs`` narrowed to tickets whose subject, description or messages visible to ``user`` match ``q``.

    The one search of tickets: the API's ``q``, the agent queue's search box and (later) saved views
    call it on a queryset that already holds visibility and their filters; the caller orders
    (``ticket_search_ranked`` for relevance).

    PostgreSQL: full text ('simple' configuration, so German and English alike) on the ticket's search
    document (``TicketSearch``, one GIN index). Agents match all of it; customers only subject,
    description and public messages (``ts_filter`` to weights A-C, checked on the few documents of
    their own tickets, which ``qs`` already restricts to). A reference (``HD-000123``) also finds that
    ticket and an email address also finds the tickets its user requested; these exact matches are
    added with a UNION (each side uses its own index). SQLite: substring match, the same exact matches.
    """
    q = q.strip()
    if not q:
        return qs
    exact = _exact_matches(q)
    if connection.vendor != "postgresql":
        text = Q(subject__icontains=q) | Q(description__icontains=q)
        messages = Message.objects.filter(body__icontains=q)
        if not _is_agent(user):
            messages = messages.filter(internal=False)
        text |= Q(pk__in=messages.order_by().values("ticket_id"))
        return qs.filter(text | exact) if exact else qs.filter(text)
    query = _search_query(q)
    qs = qs.alias(_search=_search_document(user))
    if _is_agent(user):
        matches = qs.filter(_search=query)
    else:
        # The GIN condition on the whole document first (the planner may use the index), then the
        # public part decides.
        matches = qs.filter(search_document__document=query, _search=query)
    if not exact:
        return matches
    found = matches.order_by().values("pk").union(qs.filter(exact).order_by().values("pk"))
    return qs.filter(pk__in=found)


def _exact_matches(q: str) -> Q | None:
    """Tickets ``q`` names exactly: by reference, or by their requester's email address."""
    if reference := REFERENCE_RE.fullmatch(q):
        return Q(pk=int(reference.group(1)))
    if _EMAIL_RE.fullmatch(q):
        return Q(requester__in=User.objects.filter(email__iexact=q).values("pk"))
    return None


# A search in an explicit order (``ordering=resolution_due``) walks the tickets in that order and
# tests each one's document, so that a common word stops after the first page of matches (2 ms) instead
# of sorting all its matches (43k for "drucker": 350-475 ms). At most this many tickets are walked (about
# 30 ms); when they hold fewer matches than the page needs (a rarer word) and there are more tickets
# beyond them, all matches are taken from the GIN index instead and sorted (few, as the walk just showed). The planner cannot make this choice
# itself: a word it has no statistics for counts as 0.5 % of the tickets, and it would walk all 1M
# tickets for a word in three (1.1 s).
SEARCH_ORDER_WINDOW = 5_000


class _AnyOf(Func):
    """``expression = ANY(ARRAY(subquery))``: a set of ids the planner takes as a handful (looked up by
    primary key, then sorted), never as a reason to walk an index of a million rows filtering on it."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def ticket_search_first_in_order(*, window: QuerySet[Ticket], user: Any, q: str, wanted: int) -> Func | None:
    """A condition for the tickets that match ``q`` that holds for their first ``wanted`` in the order of
    ``window`` (the tickets a page may hold without the search, from the cursor on, in the page's
    order), or None where the plain search is as fast (SQLite, customers, whose search covers their
    own tickets only, a reference or an email address, an empty ``q``).

    The caller adds it to ``ticket_search(...)`` in that order: the tickets it lets through beyond
    those first matches are matches too, so the page is exact either way. PostgreSQL only.
    """
    q = q.strip()
    if connection.vendor != "postgresql" or not q or not _is_agent(user) or _exact_matches(q) is not None:
        return None
    window_sql, window_params = window.values("id")[:SEARCH_ORDER_WINDOW].query.sql_with_params()
    # ``coalesce`` keeps the walk's test off the GIN index (each walked ticket's own document is tested).
    # The GIN part runs only when the walk found too few and stopped at its limit, not at the end of the
    # tickets (an agent's own: all walked, all found); PostgreSQL evaluates the second count only when
    # the first is true.
    sql = f"""ARRAY(
      WITH walked AS MATERIALIZED (
        SELECT w.id FROM ({window_sql}) w
        WHERE (SELECT coalesce(s.document, ''::tsvector) @@ websearch_to_tsquery(%s::regconfig, %s)
               FROM tickets_ticketsearch s WHERE s.ticket_id = w.id)
        LIMIT {int(wanted)}
      )
      SELECT id FROM walked
      UNION ALL
      SELECT ticket_id FROM tickets_ticketsearch
      WHERE (SELECT count(*) FROM walked) < {int(wanted)}
        AND (SELECT count(*) FROM ({window_sql}) w) >= {SEARCH_ORDER_WINDOW}
        AND document @@ websearch_to_tsquery(%s::regconfig, %s)
    )"""
    params = (*window_params, SEARCH_CONFIG, q, *window_params, SEARCH_CONFIG, q)
    return _AnyOf(F("pk"), RawSQL(sql, params))


def ticket_search_ranked(*, qs: QuerySet[Ticket], user: Any, q: str) -> QuerySet[Ticket]:
    """``ticket_search`` ordered by relevance: the newest ``SEARCH_RANK_CANDIDATES`` matches, ranked
    by ``ts_rank`` (subject above description above messages; the ticket a reference or an email
    address names above all), newest first among equals.

    Annotates ``search_rank`` (what a cursor pages on). SQLite: newest first, rank 0.
    """
    found = ticket_search(qs=qs, user=user, q=q)
    if connection.vendor != "postgresql" or not q.strip():
        return found.annotate(search_rank=Value(0.0, output_field=FloatField())).order_by(
            "-search_rank", "-id"
        )
    q = q.strip()
    exact = _exact_matches(q)
    if _is_agent(user) and not qs.query.where and exact is None:
        # Every ticket is visible and nothing else filters: the newest matches from the documents alone.
        candidates = RawSQL(_NEWEST_MATCHES, [SEARCH_CONFIG, q, SEARCH_CONFIG, q, SEARCH_RANK_CANDIDATES])
    else:
        # Filtered (a customer's own tickets, a status): ``id + 0`` so that PostgreSQL collects the
        # matches within the filter instead of walking the whole primary key backwards.
        candidates = found.order_by((F("pk") + 0).desc()).values("pk")[:SEARCH_RANK_CANDIDATES]
    # double precision, not ts_rank's real: the cursor carries the value back and must compare equal.
    rank = Cast(SearchRank(_search_document(user), _search_query(q)), FloatField())
    if exact is not None:
        rank += Case(When(exact, then=Value(EXACT_MATCH_RANK)), default=Value(0.0))
    return qs.filter(pk__in=candidates).annotate(search_rank=rank).order_by("-search_rank", "-id")

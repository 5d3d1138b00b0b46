"""The ticket list's cursor pages: a keyset over the whole order, and the search in an explicit order
walked in that order (issue #16)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, _reverse_ordering
from rest_framework.utils.urls import remove_query_param

from helpdesk.api import CursorPagination

from . import selectors
from .filters import INDEXED_SORT_KEYS, ORDERING_PARAM, annotate_sort_keys


def _after(ordering: list[str], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (keys never NULL), with the first key's range
    spelt out as well, so that PostgreSQL starts the index scan there instead of filtering up to it."""
    first, value = ordering[0].lstrip("-"), values[0]
    op = "lt" if ordering[0].startswith("-") else "gt"
    if len(ordering) == 1:
        return Q(**{f"{first}__{op}": value})
    later = Q(**{f"{first}__{op}": value}) | (Q(**{first: value}) & _after(ordering[1:], values[1:]))
    return Q(**{f"{first}__{op}e": value}) & later


class TicketCursorPagination(CursorPagination):
    """Cursor pages of tickets that neither skip nor repeat a ticket, however many share a sort value.

    DRF's ``CursorPagination`` positions on the order's first key with an offset among equal values,
    which loses tickets where more of them share a value than a page holds (priority: a quarter of all
    tickets). Here the cursor holds every key of the order (the last is always ``id``), and a page is
    the rows strictly after it (or before it, backwards).

    ``?q=…&ordering=…`` (an agent's text search in an order with an index on (key, id),
    ``INDEXED_SORT_KEYS``) is narrowed to its first matches in that order:
    ``selectors.ticket_search_first_in_order`` walks the visible tickets from the cursor on, when no
    other filter narrows the list (``request.search_base``, set by ``TicketFilter``).
    """

    def paginate_queryset(self, queryset: QuerySet, request: Any, view: Any = None) -> list | None:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        position = self._position(self.cursor)
        order = list(_reverse_ordering(self.ordering)) if reverse else list(self.ordering)
        queryset = queryset.order_by(*order)
        if position is not None:
            queryset = queryset.filter(_after(order, position))
        queryset = self._search_in_order(queryset, request, order, position)
        rows = list(queryset[: self.page_size + 1])
        self.page = rows[: self.page_size]
        more = len(rows) > self.page_size
        if reverse:
            self.page.reverse()
        self.has_next = position is not None if reverse else more
        self.has_previous = more if reverse else position is not None
        self.display_page_controls = (self.has_previous or self.has_next) and self.template is not None
        return self.page

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        return self._link(self.page[-1] if self.page else None, reverse=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        return self._link(self.page[0] if self.page else None, reverse=True)

    def _link(self, row: Any, *, reverse: bool) -> str:
        if row is None:  # an empty page (its tickets went away meanwhile): back to the first page
            return remove_query_param(self.base_url, self.cursor_query_param)
        values = [getattr(row, key.lstrip("-")) for key in self.ordering]
        position = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=position))

    def _position(self, cursor: Cursor | None) -> list[Any] | None:
        if cursor is None or cursor.position is None:
            return None
        try:
            values = json.loads(cursor.position)
        except ValueError:
            values = None
        if (
            not isinstance(values, list)
            or len(values) != len(self.ordering)
            or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values)
        ):
            raise NotFound(self.invalid_cursor_message)  # another order's cursor, or made up
        return values

    def _search_in_order(
        self, queryset: QuerySet, request: Any, order: list[str], position: list[Any] | None
    ) -> QuerySet:
        q = request.query_params.get("q", "")
        if not q.strip() or not request.query_params.get(ORDERING_PARAM):
            return queryset  # no search, or ranked by relevance (``ticket_search_ranked`` bounds that)
        if order[0].lstrip("-") not in INDEXED_SORT_KEYS:
            return queryset
        base = getattr(request, "search_base", None)  # the list's other filters (``TicketFilter``)
        if base is None or base.query.where:
            # Filtered (a status, a team, a requester): walking one sort index would test tickets the
            # filter drops, and PostgreSQL's plan from the filter's own index is the better one.
            return queryset
        window = annotate_sort_keys(base, order)
        if position is not None:
            window = window.filter(_after(order, position))
        condition = selectors.ticket_search_first_in_order(
            window=window.order_by(*order),
            user=request.user,
            q=q,
            wanted=self.page_size + 1,
        )
        return queryset if condition is None else queryset.filter(condition)

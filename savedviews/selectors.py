"""Reads of saved views: which views a user sees, a view's tickets, and the sidebar's counts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext

from tickets.models import Ticket
from tickets.selectors import ticket_search
from tickets.workspace import QueuePage, agent_queue_qs, queue_page

from .models import SavedView

# Counts above this are shown as "1,000+": counting stops after COUNT_CAP + 1 rows, so a view of
# half a million tickets costs what a view of a thousand does.
COUNT_CAP = 1000
# Counts are kept this long in the cache (Redis in production), per user and view version: the
# sidebar is drawn on every queue page, and a count a few seconds old is as good as a fresh one.
COUNT_CACHE_SECONDS = 30


def saved_view_visible_qs(*, user: Any) -> QuerySet[SavedView]:
    """The user's own views and those shared with one of their teams (agents only). The shared ones
    through a semi-join on the sharing rows: no join of the views, so no duplicates."""
    if not (user and user.is_authenticated and user.is_agent):
        return SavedView.objects.none()
    shared = SavedView.shared_with_teams.through.objects.filter(team__in=user.teams.values("pk")).values(
        "savedview_id"
    )
    return SavedView.objects.filter(Q(owner=user) | Q(pk__in=shared))


def saved_view_get_for_user(*, user: Any, pk: int | str) -> SavedView:
    """The view, or 404 exactly as for an id that does not exist (another agent's private view)."""
    try:
        return saved_view_visible_qs(user=user).select_related("owner").get(pk=int(pk))
    except (SavedView.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def _filtered(view: SavedView, user: Any) -> QuerySet[Ticket]:
    return agent_queue_qs(user=user, tab=view.filters.get("tab") or "", filters=view.filters)


def saved_view_tickets_qs(*, view: SavedView, user: Any) -> QuerySet[Ticket]:
    """The view's tickets as ``user`` sees them (unordered): the queue's own filtering and search,
    from the visibility selector, with "Mine" and "My teams" meaning the viewer's."""
    return ticket_search(qs=_filtered(view, user), user=user, q=view.filters.get("q") or "")


def saved_view_page(*, view: SavedView, user: Any, cursor: str, limit: int) -> QueuePage:
    """One page of the view's tickets in its sort, as the queue pages them (keyset ``cursor``);
    tags prefetched (the API shows them)."""
    qs = _filtered(view, user).prefetch_related("tags")
    return queue_page(
        qs, user=user, q=view.filters.get("q") or "", sort=view.sort, cursor=cursor, limit=limit
    )


@dataclass(frozen=True)
class ViewCount:
    value: int
    capped: bool  # there are more than ``value`` (= COUNT_CAP)

    @property
    def label(self) -> str:
        text = number_format(self.value, force_grouping=True)
        return f"{text}+" if self.capped else text

    @property
    def title(self) -> str:
        if self.capped:
            return gettext("More than %(n)s tickets") % {"n": number_format(self.value, force_grouping=True)}
        return ""


def _cache_key(view: SavedView, user: Any) -> str:
    version = hashlib.sha1(  # noqa: S324 - a cache key, not a secret
        json.dumps([view.filters, view.updated_at.isoformat()], sort_keys=True).encode()
    ).hexdigest()[:16]
    return f"savedviews:count:{user.pk}:{view.pk}:{version}"


def saved_view_counts(
    *, views: list[SavedView], user: Any, defer_search: bool = False
) -> dict[int, ViewCount | None]:
    """Each view's ticket count for ``user``, capped at COUNT_CAP: cached ones from one cache read,
    the others in one query (a capped ``COUNT(*)`` subquery per view, so one round trip for all).

    ``defer_search``: views with full text (``q``) that are not cached get None instead: testing
    each candidate's search document can take a tenth of a second at a million tickets, so the
    sidebar fetches those counts after the page (``savedviews:count``)."""
    if not views:
        return {}
    keys = {view.pk: _cache_key(view, user) for view in views}
    cached = cache.get_many(list(keys.values()))
    counts: dict[int, ViewCount | None] = {}
    missing = []
    for view in views:
        hit = cached.get(keys[view.pk])
        if hit is not None:
            counts[view.pk] = ViewCount(*hit)
        elif defer_search and view.filters.get("q"):
            counts[view.pk] = None
        else:
            missing.append(view)
    if missing:
        parts, params, found = [], [], {}
        for view in missing:
            capped = saved_view_tickets_qs(view=view, user=user).order_by().values("pk")[: COUNT_CAP + 1]
            try:
                sql, sql_params = capped.query.sql_with_params()
            except EmptyResultSet:  # e.g. a tag that does not exist (any more): nothing to count
                found[view.pk] = 0
                continue
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS view_{view.pk})")  # noqa: S608 - the ORM's SQL
            params.extend(sql_params)
        if parts:
            with connection.cursor() as cursor:
                cursor.execute("SELECT " + ", ".join(parts), params)
                numbers = iter(cursor.fetchone())
            found.update({view.pk: next(numbers) for view in missing if view.pk not in found})
        fresh = {}
        for view in missing:
            n = found[view.pk]
            counts[view.pk] = ViewCount(min(n, COUNT_CAP), n > COUNT_CAP)
            fresh[keys[view.pk]] = (counts[view.pk].value, counts[view.pk].capped)
        cache.set_many(fresh, COUNT_CACHE_SECONDS)
    return counts


def saved_view_sidebar(*, user: Any) -> tuple[list[SavedView], list[SavedView]]:
    """(the user's own views, the views shared with their teams by others), by name; one query."""
    views = list(saved_view_visible_qs(user=user).select_related("owner"))
    own = [v for v in views if v.owner_id == user.pk]
    shared = [v for v in views if v.owner_id != user.pk]
    return own, shared

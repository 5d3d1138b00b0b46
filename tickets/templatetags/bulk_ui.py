"""The queue's selection bar (``{% bulk_bar %}``): the bulk actions and their parameter fields."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("tickets/_bulk_bar.html", takes_context=True)
def bulk_bar(context: template.Context, query: str = "", tab: str = "") -> dict[str, Any]:
    """``query``: the queue's filters (without the cursor); ``tab``: the tab shown (it may come from the
    session, not the query), so that "all matching" means what the agent sees."""
    from tickets.bulk_views import bulk_bar_context

    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "query": query,
        **bulk_bar_context(request.user),
    }

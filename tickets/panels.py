"""Extension points of the browser UI, so the apps around the core add to its pages
without the core importing them (dependencies point at ``tickets``, never from it).

An app registers in its ``AppConfig.ready()``::

    from tickets.panels import Panel, agent_ticket_panels
    agent_ticket_panels.append(Panel("escalation/_handoff_card.html", context=handoff_context, slot="main"))

``context(request, ticket) -> dict | None`` returns the template's extra context, or
None to hide the panel. Slots on the agent ticket page: ``"main"`` (above the
timeline), ``"side"`` (sidebar), ``"actions"`` (buttons beside resolve), ``"resolve"`` (inside the
resolve form, above the solution: warnings before resolving). Portal
ticket page slots: ``"main"``, ``"side"``.

A panel with a ``title`` in the agent page's ``"side"`` slot is shown collapsible (``<details>``,
summary = the title; the panel's own first heading gives way to it), open when ``open`` is true,
so the column stays a list of headings with the most used panels open. Nav entries are (label, url name, who)
with who in {"agent", "supervisor", "customer", "anyone"}; the configuration pages set
``group="config"`` and show up in one "Configuration" menu, so the bar stays one line. A nav entry with a
``badge_url`` (a url name) shows a count beside its label, loaded by htmx after the page and refreshed every
minute (the page itself pays nothing for it); the url returns the badge's HTML, empty for none.

``message_body_renderers``: ``renderer(messages) -> {message pk: safe HTML}`` shows message bodies
differently on the ticket pages (the notifications app's mentions as names); one call per timeline with all
its messages, so a renderer reads what it needs in one query; bodies no renderer returns are shown escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Any, Any], dict | None] = field(default=lambda request, ticket: {})
    slot: str = "side"
    order: int = 100
    title: Any = ""  # a lazy translation; makes a side panel collapsible under this heading
    open: bool = False


@dataclass(frozen=True)
class NavEntry:
    label: str  # a lazy translation
    url_name: str
    who: str = "agent"
    order: int = 100
    group: str = (
        ""  # "config": under the navigation's "Configuration" menu (tickets.templatetags.helpdesk_ui)
    )
    badge_url: str = ""  # url name of the count shown beside the label (htmx, see above)
    icon: str = ""  # a template with an inline SVG: the link shows it instead of the label (kept for screen
    # readers, as the tooltip, and beside the icon in the phone menu), so the bar stays one line


agent_ticket_panels: list[Panel] = []
# The agent queue's sidebar (slot "side"): ``context(request, state)`` gets the queue's state instead
# of a ticket: ``{"tab", "filters", "sort", "params"}`` (saved views list themselves there).
queue_panels: list[Panel] = []
portal_ticket_panels: list[Panel] = []
nav_entries: list[NavEntry] = []
message_body_renderers: list[Callable[[list[Any]], dict[int, Any]]] = []


def visible_panels(panels: list[Panel], request: Any, ticket: Any, slot: str) -> list[tuple[Panel, dict]]:
    """(panel, context) pairs for one slot, in order; panels whose context is None are hidden."""
    out = []
    for panel in sorted((p for p in panels if p.slot == slot), key=lambda p: p.order):
        ctx = panel.context(request, ticket)
        if ctx is not None:
            out.append((panel, ctx))
    return out


def render_panels(panels: list[Panel], request: Any, ticket: Any, slot: str) -> list[tuple[str, dict]]:
    """(template, context) pairs for one slot, in order; panels whose context is None are hidden."""
    return [(panel.template, ctx) for panel, ctx in visible_panels(panels, request, ticket, slot)]

"""Template tags of the browser UI: the role-based navigation and the extension panels."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets import panels as panel_registry
from tickets import undo

register = template.Library()

# The core's own links; other apps add theirs to tickets.panels.nav_entries.
CORE_NAV = [
    panel_registry.NavEntry(_("Queue"), "tickets:agent_queue", "agent", 10),
    panel_registry.NavEntry(_("Log a call"), "tickets:agent_new", "agent", 20),
    panel_registry.NavEntry(_("New request"), "tickets:portal_new", "customer", 10),
    panel_registry.NavEntry(_("My requests"), "tickets:portal_list", "customer", 20),
]


# The menus of the navigation: NavEntry.group → its label.
NAV_GROUPS = {"config": _("Configuration"), "account": _("Account")}


def _allowed(who: str, user: Any) -> bool:
    signed_in = bool(user and user.is_authenticated)
    if who == "anyone":
        return True
    if not signed_in:
        return False
    if who == "supervisor":
        return user.is_supervisor
    if who == "agent":
        return user.is_agent
    if who == "customer":
        return not user.is_agent
    return False


@register.simple_tag(takes_context=True)
def nav_links(context: template.Context) -> list[dict[str, Any]]:
    """Links for the signed-in person's role; entries whose url name does not resolve are skipped."""
    request = context.get("request")
    user = getattr(request, "user", None)
    out = []
    for entry in sorted([*CORE_NAV, *panel_registry.nav_entries], key=lambda e: e.order):
        if not _allowed(entry.who, user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        path = getattr(request, "path", "")
        active = path == url or (url != "/" and path.startswith(url))
        badge = reverse(entry.badge_url) if entry.badge_url else ""
        out.append(
            {
                "label": entry.label,
                "url": url,
                "active": active,
                "group": entry.group,
                "badge_url": badge,
                "icon": entry.icon,
            }
        )
    # The most specific match wins when one link's url is a prefix of another's.
    actives = [link for link in out if link["active"]]
    if len(actives) > 1:
        best = max(actives, key=lambda link: len(link["url"]))
        for link in actives:
            link["active"] = link is best
    return _grouped(out)


def _grouped(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Links of a group folded into one menu entry (``children``), after the other links: the pages
    used every day stay where the eye expects them."""
    plain: list[dict[str, Any]] = []
    menus: dict[str, dict[str, Any]] = {}
    for link in links:
        group = link.pop("group")
        if not group:
            plain.append(link)
            continue
        menu = menus.setdefault(group, {"label": NAV_GROUPS[group], "children": [], "active": False})
        menu["children"].append(link)
        menu["active"] |= link["active"]
    return plain + list(menus.values())


@register.simple_tag(takes_context=True)
def ticket_panels(context: template.Context, which: str, ticket: Any, slot: str) -> SafeString:
    """Renders the panels other apps registered for a slot of the agent or portal ticket page."""
    registry = panel_registry.agent_ticket_panels if which == "agent" else panel_registry.portal_ticket_panels
    request = context.get("request")
    parts = []
    for panel, extra in panel_registry.visible_panels(registry, request, ticket, slot):
        html = render_to_string(panel.template, {"ticket": ticket, **extra}, request=request)
        if panel.title and slot == "side":
            key = panel.template.rsplit("/", 1)[-1].removesuffix(".html").lstrip("_")
            html = render_to_string(
                "tickets/_side_panel.html",
                {"key": key, "title": panel.title, "open": panel.open, "body": html},
                request=request,
            )
        parts.append(html)
    # Each part is the output of an autoescaping template, so joining them is safe.
    return mark_safe("".join(parts))  # noqa: S308


@register.simple_tag(takes_context=True)
def queue_panels(context: template.Context, state: Any) -> SafeString:
    """Renders what other apps registered for the agent queue's sidebar (``state``: the queue's)."""
    request = context.get("request")
    parts = [
        render_to_string(panel.template, {"queue": state, **extra}, request=request)
        for panel, extra in panel_registry.visible_panels(panel_registry.queue_panels, request, state, "side")
    ]
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaping template's output


@register.filter
def display_name(user: Any) -> str:
    if user is None:
        return ""
    from privacy.services import is_erased  # an erased person's tombstone, in the reader's language

    if is_erased(user):
        return gettext("Erased person #%(id)s") % {"id": user.pk}
    return user.get_full_name() or user.username


@register.filter
def initials(user: Any) -> str:
    if user is None:
        return "?"
    name = user.get_full_name() or user.username
    parts = [p for p in name.replace(".", " ").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


# How a customer reads each status: what happens next, in their words.
PORTAL_STATUS = {
    "new": _("Received"),
    "open": _("In progress"),
    "pending": _("Waiting for your reply"),
    "resolved": _("Solved"),
    "closed": _("Closed"),
}


@register.filter
def portal_status(status: str) -> str:
    return str(PORTAL_STATUS.get(status, status))


@register.simple_tag
def undo_token(message: Any) -> str | None:
    """The token of a "Deleted: …" message's Undo button (tickets.undo), else None."""
    return undo.undo_token(message)

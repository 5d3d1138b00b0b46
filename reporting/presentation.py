"""What the dashboard shows for each number: label, definition, link to its tickets, change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tickets.models import Category

from .exports import lookup

# The backlog's age buckets (reporting.metrics.AGE_BUCKETS), as the page and its chart name them.
AGE_LABELS = {
    "lt_1d": _("< 1 day"),
    "1_3d": _("1–3 days"),
    "3_7d": _("3–7 days"),
    "gt_7d": _("> 7 days"),
}


@dataclass(frozen=True)
class Card:
    key: str  # path in the summary
    label: Any
    definition: Any
    kind: str  # "rate" | "count" | "minutes" | "score" | "sessions" | "unavailable"
    metric: str | None = None  # the ticket list behind it
    change_key: str | None = None
    link: str | None = None  # a list that is not of tickets (URL name), e.g. the deflections


CARDS: list[Card] = [
    Card(
        "fcr",
        _("First-contact resolution (FCR)"),
        _(
            "Of the tickets resolved in the period: resolved at tier 1, never escalated, never reopened, "
            "no further customer message after the first agent response, and at most one public agent response."
        ),
        "rate",
        "fcr",
        "fcr",
    ),
    Card(
        "flr",
        _("First-level resolution (FLR)"),
        _("Of the tickets resolved in the period: resolved at tier 1 and never escalated."),
        "rate",
        "flr",
        "flr",
    ),
    Card(
        "escalation",
        _("Escalation rate"),
        _("Of the tickets created in the period: escalated at least once."),
        "rate",
        "escalation",
        "escalation",
    ),
    Card(
        "escalation_1_2",
        _("Escalated 1 → 2"),
        _("Of the tickets created in the period: escalated from tier 1 to tier 2 at least once."),
        "rate",
        "escalation_1_2",
        "escalation_1_2",
    ),
    Card(
        "escalation_2_3",
        _("Escalated 2 → 3"),
        _("Of the tickets created in the period: escalated from tier 2 to tier 3 at least once."),
        "rate",
        "escalation_2_3",
        "escalation_2_3",
    ),
    Card(
        "deescalation",
        _("De-escalated"),
        _("Of the tickets created in the period: returned to a lower tier at least once."),
        "rate",
        "deescalation",
        "deescalation",
    ),
    Card(
        "ping_pong",
        _("Ping-pong"),
        _("Of the tickets created in the period: escalated at least twice and de-escalated at least once."),
        "rate",
        "ping_pong",
        "ping_pong",
    ),
    Card(
        "reopen",
        _("Reopen rate"),
        _("Of the tickets resolved in the period: reopened at least once."),
        "rate",
        "reopen",
        "reopen",
    ),
    Card(
        "sla_first_response",
        _("SLA first response"),
        _(
            "Of the tickets resolved in the period that had a first-response due time: first response "
            "(or, without one, the resolution) by the due time. Paused time moves the due time."
        ),
        "rate",
        "sla_first_response",
        "sla_first_response",
    ),
    Card(
        "sla_resolution",
        _("SLA resolution"),
        _(
            "Of the tickets resolved in the period that had a resolution due time: resolved by the due "
            "time. Paused time moves the due time."
        ),
        "rate",
        "sla_resolution",
        "sla_resolution",
    ),
    Card(
        "csat.response_rate",
        _("CSAT response rate"),
        _("Of the tickets resolved in the period: rated by the customer."),
        "rate",
        "csat",
        "csat.response_rate",
    ),
    Card(
        "csat.mean",
        _("CSAT"),
        _("Mean rating (1–5) of the tickets resolved in the period."),
        "score",
        "csat",
        "csat.mean",
    ),
    Card("created", _("Created"), _("Tickets created in the period."), "count", "created", "created"),
    Card(
        "resolved",
        _("Resolved"),
        _("Tickets resolved in the period (a ticket resolved twice counts once, by its last resolution)."),
        "count",
        "resolved",
        "resolved",
    ),
    Card(
        "first_response_minutes",
        _("First response time"),
        _(
            "Created → first public agent response, tickets resolved in the period: median and 90th "
            "percentile, wall time; business time as the SLA clock counts it (the policy's calendar, "
            "paused time left out), for the tickets that have an SLA policy."
        ),
        "minutes",
        "resolved",
        "first_response_minutes.median",
    ),
    Card(
        "resolution_minutes",
        _("Resolution time"),
        _(
            "Created → last resolution, tickets resolved in the period: median and 90th percentile, "
            "wall time; business time as the SLA clock counts it (the policy's calendar, paused and "
            "solved-before-a-reopen time left out), for the tickets that have an SLA policy."
        ),
        "minutes",
        "resolved",
        "resolution_minutes.median",
    ),
    Card(
        "deflections",
        _("Deflections"),
        _(
            "Portal sessions in the period in which the customer said a suggested article solved the "
            "problem and then did not submit a request. The category filter applies to the article's "
            "categories; team and tier do not apply."
        ),
        "sessions",
        change_key="deflections.count",
        link="reporting:deflections",
    ),
    Card(
        "escalated_solved_with_existing_article",
        _("Escalated, solved with an existing article"),
        _(
            "Of the escalated tickets resolved in the period: linked to an article that was already "
            "published before the ticket's first escalation (what tier 1 could have solved)."
        ),
        "rate",
        "escalated_solved_with_existing_article",
        "escalated_solved_with_existing_article",
    ),
]


def ticket_list_title(metric: str, part: str) -> tuple[str, str]:
    """The heading of the tickets behind a number, and the number's definition, for ``metric``."""
    card = next((c for c in CARDS if c.metric == metric), None)
    if card is None:  # the backlog
        return str(_("Backlog now")), str(_("Open tickets (new, open, pending) now."))
    if card.kind != "rate":
        return str(card.label), str(card.definition)
    which = _("the tickets it is out of") if part == "denominator" else _("the tickets counted")
    return f"{card.label}: {which}", str(card.definition)


def localized_categories(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The top-category rows with each name in the active language, as ``Category.localized_name``."""
    return [{**r, "name": Category(name=r["name"], name_de=r["name_de"] or "").localized_name} for r in rows]


def tickets_url(params: dict[str, str], metric: str, **extra: Any) -> str:
    query = {**params, "metric": metric, **{k: v for k, v in extra.items() if v not in (None, "")}}
    return f"{reverse('reporting:tickets')}?{urlencode(query)}"


def cards(summary: dict[str, Any], params: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for card in CARDS:
        value = lookup(summary, card.key)
        change = summary.get("change", {}).get(card.change_key or "", {}) if card.change_key else {}
        previous = lookup(summary.get("previous", {}), card.change_key) if card.change_key else None
        numerator_url = tickets_url(params, card.metric) if card.metric else None
        if card.link:
            numerator_url = f"{reverse(card.link)}?{urlencode(params)}"
        out.append(
            {
                "card": card,
                "value": value,
                "previous": previous["rate"] if isinstance(previous, dict) else previous,
                "change": change,
                "numerator_url": numerator_url,
                "denominator_url": tickets_url(params, card.metric, part="denominator")
                if card.metric
                else None,
            }
        )
    return out

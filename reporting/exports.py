"""CSV of every dashboard table and of the tickets behind a number.

Cells that start with ``= + - @``, a tab or a carriage return are prefixed with ``'`` so a
spreadsheet never runs them as formulas (SECURITY.md); numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from tickets.models import reference_for

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return "" if value is None else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([neutralise(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _rate_cells(value: dict[str, Any] | None) -> list[Any]:
    if value is None:
        return ["", "", ""]
    return [value["numerator"], value["denominator"], "" if value["rate"] is None else value["rate"]]


# (key in the summary, kind) of the summary table, in page order.
SUMMARY_ROWS: list[tuple[str, str]] = [
    ("created", "count"),
    ("resolved", "count"),
    ("flr", "rate"),
    ("fcr", "rate"),
    ("escalation", "rate"),
    ("escalation_1_2", "rate"),
    ("escalation_2_3", "rate"),
    ("deescalation", "rate"),
    ("ping_pong", "rate"),
    ("reopen", "rate"),
    ("sla_first_response", "rate"),
    ("sla_resolution", "rate"),
    ("csat.response_rate", "rate"),
    ("csat.mean", "value"),
    ("first_response_minutes.median", "value"),
    ("first_response_minutes.p90", "value"),
    ("first_response_minutes.business.median", "value"),
    ("first_response_minutes.business.p90", "value"),
    ("first_response_minutes.business.count", "value"),
    ("resolution_minutes.median", "value"),
    ("resolution_minutes.p90", "value"),
    ("resolution_minutes.business.median", "value"),
    ("resolution_minutes.business.p90", "value"),
    ("resolution_minutes.business.count", "value"),
    ("backlog.total", "value"),
    ("deflections.count", "value"),
    ("deflections.records", "value"),
    ("escalated_solved_with_existing_article", "rate"),
]


def lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def summary_rows(summary: dict[str, Any]) -> Iterator[list[Any]]:
    previous = summary.get("previous", {})
    for key, kind in SUMMARY_ROWS:
        value, before = lookup(summary, key), lookup(previous, key)
        if kind == "rate":
            prev_rate = before["rate"] if isinstance(before, dict) else None
            yield [key, *_rate_cells(value), "", "" if prev_rate is None else prev_rate]
        else:
            shown = "not available" if value is None else value
            yield [key, "", "", "", shown, "" if before is None or isinstance(before, dict) else before]


SUMMARY_HEADER = ["metric", "numerator", "denominator", "rate", "value", "previous"]


def table_rows(rows: list[dict[str, Any]], columns: list[str]) -> Iterator[list[Any]]:
    for row in rows:
        out: list[Any] = []
        for col in columns:
            value = row.get(col)
            if isinstance(value, dict):
                out += _rate_cells(value)
            else:
                out.append(value)
        yield out


def table_header(columns: list[str], rate_columns: set[str]) -> list[str]:
    header: list[str] = []
    for col in columns:
        if col in rate_columns:
            header += [f"{col}_numerator", f"{col}_denominator", f"{col}_rate"]
        else:
            header.append(col)
    return header


TICKET_HEADER = [
    "reference",
    "subject",
    "status",
    "channel",
    "tier",
    "team",
    "category",
    "created_at",
    "first_response_at",
    "resolved_at",
    "resolved_tier",
    "resolved_by",
    "escalation_count",
    "deescalation_count",
    "reopen_count",
    "public_reply_count",
    "customer_followup_count",
    "first_response_due",
    "resolution_due",
]


def ticket_rows(qs: QuerySet) -> Iterator[list[Any]]:
    fields = [
        "pk",
        "subject",
        "status",
        "channel",
        "tier",
        "team__name",
        "category__name",
        "created_at",
        "first_response_at",
        "resolved_at",
        "resolved_tier",
        "resolved_by__username",
        "escalation_count",
        "deescalation_count",
        "reopen_count",
        "public_reply_count",
        "customer_followup_count",
        "first_response_due",
        "resolution_due",
    ]
    for row in qs.values_list(*fields).iterator(chunk_size=2000):
        yield [reference_for(row[0]), *(v.isoformat() if hasattr(v, "isoformat") else v for v in row[1:])]


DEFLECTION_HEADER = ["created_at", "article", "article_title", "article_slug", "query"]


def deflection_rows(qs: QuerySet) -> Iterator[list[Any]]:
    fields = ["created_at", "article_id", "article__title", "article__slug", "query"]
    for row in qs.values_list(*fields).iterator(chunk_size=2000):
        yield [row[0].isoformat(), *row[1:]]

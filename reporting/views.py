"""The supervisor dashboard, the tickets behind each number, and the CSV exports. Thin:
parse the filters, check the role, call the selectors, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext

from . import exports, presentation
from .forms import PRESETS, MetricFilterForm, TicketListForm
from .metrics import (
    agent_table,
    backlog,
    dashboard_data,
    deflection_rows,
    escalation_flow,
    metric_tickets,
    metrics_summary,
    team_table,
    top_categories,
)
from .permissions import is_supervisor

TICKETS_PER_PAGE = 50


def supervisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous → the login page; signed in without the supervisor role → 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_supervisor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _bad_request(form: MetricFilterForm) -> HttpResponse:
    errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors_as_dict().items())
    return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")


@supervisor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = MetricFilterForm(data=request.GET)
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", {"form": form, "presets": PRESETS}, status=400)
    filters = form.filters()
    params = filters.as_params()
    data = dashboard_data(filters)
    summary = data["summary"]
    categories = presentation.localized_categories(data["top_categories"])
    previous = filters.previous()
    context = {
        "form": form,
        "presets": PRESETS,
        "filters": filters,
        "query": urlencode(params),
        "data": data,
        "summary": summary,
        "previous_from": previous.date_from,
        "previous_to": previous.date_to,
        "categories": categories,
        "cards": presentation.cards(summary, params),
        "backlog_links": _backlog_links(summary["backlog"], params),
        "chart_data": {
            "trend": {**data["trend"], "labels": [_short_date(d) for d in data["trend"]["labels"]]},
            "backlog_age": summary["backlog"]["by_age"],
            "flow": summary["escalation_flow"],
            "categories": categories,
            "labels": {
                "created": gettext("Created"),
                "resolved": gettext("Resolved"),
                "fcr": gettext("FCR"),
                "tickets": gettext("Tickets"),
                "escalated": gettext("Escalated"),
                "deescalated": gettext("De-escalated"),
                "no_category": gettext("no category"),
                "age": {k: str(v) for k, v in presentation.AGE_LABELS.items()},
            },
        },
    }
    return render(request, "reporting/dashboard.html", context)


@supervisor_required
def agent_rows(request: HttpRequest) -> HttpResponse:
    """The table per agent: the dashboard loads it through htmx after the page; without
    JavaScript, the same table as a page of its own."""
    form = MetricFilterForm(data=request.GET)
    if not form.is_valid():
        return _bad_request(form)
    filters = form.filters()
    context = {
        "rows": agent_table(filters),
        "query": urlencode(filters.as_params()),
        "first": gettext("Agent"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "reporting/_people_table.html", context)
    return render(request, "reporting/agents.html", context)


def _short_date(iso: str) -> str:
    return date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _backlog_links(backlog_numbers: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    url = presentation.tickets_url
    return {
        "total": url(params, "backlog"),
        "tier": [
            (t, n, url(params, "backlog", backlog_tier=t)) for t, n in backlog_numbers["by_tier"].items()
        ],
        "age": [
            (presentation.AGE_LABELS.get(a, a), n, url(params, "backlog", backlog_age=a))
            for a, n in backlog_numbers["by_age"].items()
        ],
        "team": [
            (row, url(params, "backlog", backlog_team=row["team"]) if row["team"] else None)
            for row in backlog_numbers["by_team"]
        ],
    }


@supervisor_required
def metric_ticket_list(request: HttpRequest) -> HttpResponse:
    form = TicketListForm(data=request.GET)
    if not form.is_valid():
        return _bad_request(form)
    filters = form.filters()
    data = form.cleaned_data
    qs = metric_tickets(
        metric=data["metric"],
        filters=filters,
        part=data.get("part") or "numerator",
        backlog_tier=data.get("backlog_tier"),
        backlog_team=data["backlog_team"].pk if data.get("backlog_team") else None,
        backlog_age=data.get("backlog_age") or None,
        user=request.user,
    )
    if request.GET.get("format") == "csv":
        name = f"tickets-{data['metric']}-{filters.date_from}-{filters.date_to}.csv"
        return exports.csv_response(name, exports.TICKET_HEADER, exports.ticket_rows(qs))
    page = Paginator(qs, TICKETS_PER_PAGE).get_page(data.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    title, definition = presentation.ticket_list_title(data["metric"], data.get("part") or "numerator")
    return render(
        request,
        "reporting/tickets.html",
        {
            "title": title,
            "definition": definition,
            "form": form,
            "filters": filters,
            "metric": data["metric"],
            "part": data.get("part") or "numerator",
            "page": page,
            "query": query.urlencode(),
            "dashboard_query": urlencode(filters.as_params()),
        },
    )


@supervisor_required
def deflection_list(request: HttpRequest) -> HttpResponse:
    """The deflection records behind the number (article, what the customer typed, when)."""
    form = MetricFilterForm(data=request.GET)
    if not form.is_valid():
        return _bad_request(form)
    filters = form.filters()
    qs = deflection_rows(filters)
    rows = qs.select_related("article").order_by("-created_at", "-pk") if qs is not None else None
    if request.GET.get("format") == "csv":
        name = f"deflections-{filters.date_from}-{filters.date_to}.csv"
        return exports.csv_response(
            name, exports.DEFLECTION_HEADER, exports.deflection_rows(rows) if rows is not None else []
        )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    page = (
        Paginator(rows, TICKETS_PER_PAGE).get_page(request.GET.get("page") or 1) if rows is not None else None
    )
    return render(
        request,
        "reporting/deflections.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "dashboard_query": urlencode(filters.as_params()),
        },
    )


TABLES: dict[str, tuple[Callable[..., Any], list[str], set[str]]] = {
    "agents": (
        agent_table,
        ["id", "name", "resolved", "fcr", "median_resolution_minutes", "csat_mean", "csat_responses"],
        {"fcr"},
    ),
    "teams": (
        team_table,
        ["id", "name", "resolved", "fcr", "median_resolution_minutes", "csat_mean", "csat_responses"],
        {"fcr"},
    ),
    "categories": (top_categories, ["category", "name", "created", "escalated"], set()),
    "flow": (escalation_flow, ["kind", "from_tier", "to_tier", "events", "tickets"], set()),
    "backlog": (lambda f: backlog(f)["by_team"], ["team", "name", "tier", "count"], set()),
}


@supervisor_required
def table_csv(request: HttpRequest, table: str) -> HttpResponse:
    form = MetricFilterForm(data=request.GET)
    if not form.is_valid():
        return _bad_request(form)
    filters = form.filters()
    name = f"{table}-{filters.date_from}-{filters.date_to}.csv"
    if table == "summary":
        summary = metrics_summary(filters)
        return exports.csv_response(name, exports.SUMMARY_HEADER, exports.summary_rows(summary))
    if table not in TABLES:
        raise Http404
    selector, columns, rate_columns = TABLES[table]
    rows = selector(filters)
    return exports.csv_response(
        name, exports.table_header(columns, rate_columns), exports.table_rows(rows, columns)
    )

"""Time spent (timetracking's entries) on the supervisor dashboard: totals of a period per
customer, team and agent, as a page with the dashboard's filters, as CSV and in the API.

The period is the entries' work dates; ``team`` and ``tier`` are the ticket's when the time was
logged; ``category`` (with sub-categories) and ``channel`` are the ticket's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from timetracking.selectors import TimeFilters, time_entries_export, time_report

from . import exports
from .forms import PRESETS, MetricFilterForm
from .metrics import category_ids
from .permissions import IsSupervisor
from .views import _bad_request, supervisor_required


class TimeFilterForm(MetricFilterForm):
    billable = forms.TypedChoiceField(
        required=False,
        label=_("Billable"),
        coerce=lambda v: v == "yes",
        empty_value=None,
        choices=[("", _("All time")), ("yes", _("Billable only")), ("no", _("Not billable"))],
    )

    def time_filters(self) -> TimeFilters:
        f = self.filters()
        return TimeFilters(
            date_from=f.date_from,
            date_to=f.date_to,
            team=f.team,
            tier=f.tier,
            categories=tuple(category_ids(f.category)) if f.category else None,
            channel=f.channel,
            billable=self.cleaned_data.get("billable"),
            organisation=f.organisation,
        )

    def params(self) -> dict[str, str]:
        params = self.filters().as_params()
        billable = self.cleaned_data.get("billable")
        if billable is not None:
            params["billable"] = "yes" if billable else "no"
        return params


TABLES = {"customers": "by_customer", "teams": "by_team", "agents": "by_agent"}
# Rows per table on the page and in the API (largest first); the CSV has them all.
TOP = 50
TABLE_HEADER = ["id", "name", "minutes", "billable_minutes", "entries"]
ENTRY_HEADER = [
    "date", "ticket", "agent", "tier", "team", "minutes", "billable", "source", "note", "customer",
]  # fmt: skip


def _entry_rows(f: TimeFilters) -> Any:
    from tickets.models import reference_for

    fields = [
        "date", "ticket_id", "agent__username", "tier", "team__name", "minutes", "billable", "source", "note",
        "customer__username",
    ]  # fmt: skip
    for row in time_entries_export(f).values_list(*fields).iterator(chunk_size=2000):
        yield [row[0].isoformat(), reference_for(row[1]), *row[2:]]


@supervisor_required
def time_page(request: HttpRequest) -> HttpResponse:
    form = TimeFilterForm(data=request.GET)
    if not form.is_valid():
        return render(request, "reporting/time.html", {"form": form, "presets": PRESETS}, status=400)
    f = form.time_filters()
    return render(
        request,
        "reporting/time.html",
        {
            "form": form,
            "presets": PRESETS,
            "filters": form.filters(),
            "query": urlencode(form.params()),
            "report": time_report(f, limit=TOP),
            "top": TOP,
        },
    )


@supervisor_required
def time_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in {*TABLES, "entries"}:
        raise Http404
    form = TimeFilterForm(data=request.GET)
    if not form.is_valid():
        return _bad_request(form)
    f = form.time_filters()
    name = f"time-{table}-{f.date_from}-{f.date_to}.csv"
    if table == "entries":
        return exports.csv_response(name, ENTRY_HEADER, _entry_rows(f))
    rows = time_report(f)[TABLES[table]]
    return exports.csv_response(name, TABLE_HEADER, exports.table_rows(rows, TABLE_HEADER))


class TimeReportApi(APIView):
    """Time logged in a period (work dates, inclusive): totals and per customer, team and agent
    (the 50 largest of each; the CSV exports have all), in minutes. Filters as for the summary,
    plus ``billable=yes|no``."""

    permission_classes = [IsSupervisor]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("days", OpenApiTypes.INT, enum=[7, 30, 90, 365]),
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("tier", OpenApiTypes.INT, enum=[1, 2, 3]),
            OpenApiParameter("category", OpenApiTypes.INT),
            OpenApiParameter("channel", OpenApiTypes.STR),
            OpenApiParameter("organisation", OpenApiTypes.INT, description="The requesters' organisation"),
            OpenApiParameter("billable", OpenApiTypes.STR, enum=["yes", "no"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        form = TimeFilterForm(data=request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors_as_dict())
        f = form.time_filters()
        return Response({"from": f.date_from, "to": f.date_to, **time_report(f, limit=TOP)})

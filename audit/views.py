from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reporting.exports import csv_response

from . import selectors
from .forms import AuditFilterForm

PER_PAGE = 50


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_supervisor:
        raise PermissionDenied
    form = AuditFilterForm(data=request.GET)
    valid = form.is_valid()
    qs = selectors.audit_entry_list(**form.filters()) if valid else selectors.audit_entry_list().none()
    if valid and request.GET.get("format") == "csv":
        name = f"audit-log-{timezone.localdate():%Y-%m-%d}.csv"
        return csv_response(name, selectors.CSV_HEADER, selectors.csv_rows(qs))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page") or 1)
    entries = list(page)
    people = selectors.people_for(entries)
    rows = [
        {
            "entry": e,
            "actor": selectors.actor_label(e),
            "what": selectors.what_label(e),
            "object": selectors.object_label(e, people),
            "changes": selectors.change_rows(e),
            "details": selectors.detail_rows(e),
        }
        for e in entries
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
        status=200 if valid else 400,
    )

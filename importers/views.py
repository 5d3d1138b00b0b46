"""Supervisor pages (Configuration → Imports): the runs, a new import, a run's progress and report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import ImportForm, RunAgainForm
from .models import ImportRun

PER_PAGE = 30


def _supervisor(request: HttpRequest) -> None:
    if not request.user.is_supervisor:
        raise PermissionDenied


def _run_context(run: ImportRun) -> dict:
    kind = services.source_kind_of(run)
    return {
        "run": run,
        "kind_label": kind.label if kind else run.source_name,
        "started_by": selectors.person_label(run.created_by),
        "report": selectors.report_view(run) if run.status == ImportRun.Status.DONE else None,
    }


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    page = Paginator(selectors.import_run_list(), PER_PAGE).get_page(request.GET.get("page") or 1)
    rows = [{**_run_context(run), "report": None} for run in page]
    return render(request, "importers/list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.import_run_start(
                by=request.user,
                kind=data["source"],
                upload=data.get("file"),
                url=data.get("url") or "",
                token=data.get("token") or "",
                email=data.get("email") or "",
                mapping_text=data.get("mapping") or "",
                dry_run=data.get("dry_run", False),
                since=data.get("since"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The import has started."))
            return redirect("importers:detail", pk=run.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "importers/new.html",
        {"form": form, "kinds": services.SOURCE_KINDS.values()},
        status=status,
    )


@login_required
def import_detail(request: HttpRequest, pk: str) -> HttpResponse:
    _supervisor(request)
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    needs = services.needs_secret_again(run)
    return render(
        request,
        "importers/detail.html",
        {**_run_context(run), "again_form": RunAgainForm(needs=needs), "needs_secret": needs},
    )


@login_required
def import_progress(request: HttpRequest, pk: str) -> HttpResponse:
    """The progress bar (polled by htmx while the run is not finished), then the report."""
    _supervisor(request)
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    return render(request, "importers/_progress.html", _run_context(run))


@login_required
@require_POST
def import_again(request: HttpRequest, pk: str) -> HttpResponse:
    _supervisor(request)
    run = get_object_or_404(ImportRun, pk=pk)
    needs = services.needs_secret_again(run)
    form = RunAgainForm(request.POST, needs=needs)
    if form.is_valid():
        try:
            again = services.import_run_again(
                run=run, by=request.user, secret=form.cleaned_data.get(needs, "") if needs else ""
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The import runs again; what is already here is skipped."))
            return redirect("importers:detail", pk=again.pk)
    return render(
        request,
        "importers/detail.html",
        {**_run_context(run), "again_form": form, "needs_secret": needs},
        status=400,
    )

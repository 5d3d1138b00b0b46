"""Pages of saved views: the queue with a view applied, save as view, edit, delete (with undo).
Thin: the forms validate, the services write, the selectors read."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tickets.forms import QueueFilterForm, queue_filter_params
from tickets.undo import confirm_delete
from tickets.views import agent_queue_page, agent_required

from . import services
from .forms import SavedViewForm
from .models import SavedView
from .selectors import COUNT_CAP, saved_view_counts, saved_view_get_for_user, saved_view_sidebar

# Query parameters that are not filters: a queue URL with only these shows the view's own filters.
_NOT_FILTERS = {"cursor"}


def view_params(view: SavedView) -> QueryDict:
    """The queue's query for a view's filters and sort."""
    params = QueryDict(mutable=True)
    params.update({**queue_filter_params(view.filters), "sort": view.sort})
    return params


def _queue_query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


def sidebar_context(request: HttpRequest, state: dict[str, Any]) -> dict[str, Any] | None:
    """The queue's sidebar: the agent's views and the ones shared with their teams, with counts."""
    user = request.user
    own, shared = saved_view_sidebar(user=user)
    counts = saved_view_counts(views=own + shared, user=user, defer_search=True)
    match = request.resolver_match
    active = match.kwargs.get("pk") if match and match.view_name == "savedviews:queue" else None
    params = state["params"].copy()
    params.pop("cursor", None)
    params["tab"] = state["tab"]
    return {
        "own": [(v, counts[v.pk]) for v in own],
        "shared": [(v, counts[v.pk]) for v in shared],
        "active": active,
        "save_query": params.urlencode(),
        "cap_label": number_format(COUNT_CAP, force_grouping=True),
    }


@agent_required
@require_GET
def saved_view_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The queue with the view's filters, sort and columns; changed filters (the form's query) apply
    on top of it until saved."""
    view = saved_view_get_for_user(user=request.user, pk=pk)
    stored = view_params(view)
    # The form's query (every field, the empty ones too) or the pager's (the view's filters and a cursor).
    current = {k: v for k, v in request.GET.items() if k not in _NOT_FILTERS and v}
    changed = bool(current) and current != {k: v for k, v in stored.items() if v}
    params = request.GET if current else stored
    if not current and "cursor" in request.GET:
        params["cursor"] = request.GET["cursor"]
    links = []
    if view.owner_id == request.user.pk:
        edit = reverse("savedviews:edit", args=[view.pk])
        links.append(
            {
                "label": _("Save filters to this view") if changed else _("Edit view"),
                "url": f"{edit}?{_queue_query(request)}" if changed else edit,
                "shortcut": "e",
                "with_filters": True,  # the filters as the form has them when clicked
            }
        )
    return agent_queue_page(
        request,
        params=params,
        columns=view.columns,
        remember_tab=False,
        extra={"heading": view.name, "heading_links": links, "saved_view": view},
    )


@agent_required
@require_GET
def saved_view_count(request: HttpRequest, pk: int) -> HttpResponse:
    """One view's count for the sidebar, fetched after the page (views with full-text search)."""
    view = saved_view_get_for_user(user=request.user, pk=pk)
    count = saved_view_counts(views=[view], user=request.user)[view.pk]
    return render(request, "savedviews/_count.html", {"view": view, "count": count})


def _view_form_page(
    request: HttpRequest,
    *,
    view: SavedView | None,
    filters: QueueFilterForm,
    form: SavedViewForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "savedviews/edit.html",
        {"view": view, "filter_form": filters, "form": form},
        status=status,
    )


def _save(request: HttpRequest, view: SavedView | None) -> HttpResponse:
    """POST of the new/edit page: both forms, then the service; its errors go on the fields."""
    can_share = request.user.is_supervisor
    filters = QueueFilterForm(request.POST)
    form = SavedViewForm(request.POST, can_share=can_share)
    if form.is_valid():
        raw = {k: v for k, v in request.POST.items() if k in services.FILTER_FIELDS}
        teams = form.cleaned_data.get("shared_with_teams") if can_share else None
        values = {
            "name": form.cleaned_data["name"],
            "filters": raw,
            "sort": request.POST.get("sort") or "newest",
            "columns": form.cleaned_data["columns"],
        }
        try:
            if view is None:
                view = services.saved_view_create(owner=request.user, shared_with_teams=teams, **values)
            else:
                if can_share:
                    values["shared_with_teams"] = teams or []
                view = services.saved_view_update(view=view, by=request.user, **values)
        except services.SavedViewInvalid as exc:
            filters.is_valid()
            for field, errors in exc.errors.items():
                target = filters if field in ("filters", "sort") else form
                if field == "filters":
                    for name, messages in errors.items():
                        if name in filters.fields:
                            for message in messages:
                                filters.add_error(name, message)
                elif field in target.fields:
                    for message in errors:
                        target.add_error(field, message)
        else:
            return redirect("savedviews:queue", pk=view.pk)
    else:
        filters.is_valid()
    return _view_form_page(request, view=view, filters=filters, form=form, status=400)


@agent_required
@require_http_methods(["GET", "POST"])
def saved_view_new(request: HttpRequest) -> HttpResponse:
    """ "Save as view": the current queue's filters (from the query) with a name and columns."""
    if request.method == "POST":
        return _save(request, None)
    filters = QueueFilterForm(initial=request.GET.dict())
    form = SavedViewForm(can_share=request.user.is_supervisor)
    return _view_form_page(request, view=None, filters=filters, form=form)


def _own_view(request: HttpRequest, pk: int) -> SavedView:
    view = saved_view_get_for_user(user=request.user, pk=pk)  # 404 for a view the user does not see
    if view.owner_id != request.user.pk:
        raise PermissionDenied  # a view shared with the user's team: seen, not theirs to change
    return view


@agent_required
@require_http_methods(["GET", "POST"])
def saved_view_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename, change filters and sort (from the query when "Save filters to this view"), columns,
    sharing."""
    view = _own_view(request, pk)
    if request.method == "POST":
        return _save(request, view)
    changed = {k: v for k, v in request.GET.items() if k in services.FILTER_FIELDS or k == "sort"}
    initial = changed or {**queue_filter_params(view.filters), "sort": view.sort}
    filters = QueueFilterForm(initial=initial)
    form = SavedViewForm(
        initial={
            "name": view.name,
            "columns": view.columns,
            "shared_with_teams": list(view.shared_with_teams.all()),
        },
        can_share=request.user.is_supervisor,
    )
    return _view_form_page(request, view=view, filters=filters, form=form)


@agent_required
@require_http_methods(["GET", "POST"])
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = _own_view(request, pk)
    return confirm_delete(
        request,
        view,
        delete=lambda: services.saved_view_delete(view=view, by=request.user),
        back=reverse("tickets:agent_queue"),
        what=_("view “%(name)s”") % {"name": view.name},
    )

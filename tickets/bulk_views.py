"""Pages of bulk actions (the queue's selection bar, the result page), merge, split and links on the
agent ticket page. Thin: parse the form, narrow to what the agent may see, call one service."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rest_framework import serializers

from accounts.models import Team
from helpdesk.errors import ApplicationError

from . import bulk, links, merge
from .forms import QueueFilterForm, agent_choices, category_choices
from .models import BulkJob, Priority, Ticket, TicketLink, pk_from_reference
from .selectors import message_visible_qs, ticket_get_for_user, ticket_search, ticket_visible_qs
from .views import agent_required
from .workspace import agent_queue_qs

RESULT_SESSION_KEY = "bulk_result"
# Param fields of the selection bar are named ``p_<param>``; these are lists, written "a, b c".
LIST_PARAMS = {"add", "remove"}
TARGET_NOT_FOUND = "No such ticket."


def _target_pk(text: str) -> int | None:
    text = (text or "").strip()
    if text.isdigit():
        return int(text)
    return pk_from_reference(text) if text else None


def _params(post: QueryDict) -> dict[str, Any]:
    """The action's parameters from the ``p_*`` fields, as the API takes them."""
    params: dict[str, Any] = {}
    for key in post:
        if not key.startswith("p_"):
            continue
        name, value = key[2:], post.get(key, "")
        if name in LIST_PARAMS:
            params[name] = [t for t in re.split(r"[\s,]+", value) if t]
        elif name == "target":
            params[name] = _target_pk(value) or value
        elif name == "allow_other_customer":
            params[name] = value in ("1", "on", "true")
        else:
            params[name] = None if value == "" and name in ("assignee", "category") else value
    return params


def _selection(request: HttpRequest) -> list[int]:
    visible = ticket_visible_qs(user=request.user)
    if request.POST.get("all_matching") == "1":
        query = QueryDict(request.POST.get("query", ""), mutable=True)
        if request.POST.get("tab"):
            query["tab"] = request.POST["tab"]  # the tab shown, also when it came from the session
        return bulk.selection_ids(qs=_matching(request, query))
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    return list(visible.filter(pk__in=ids).values_list("pk", flat=True))


def _matching(request: HttpRequest, query: QueryDict) -> Any:
    """The queue's tickets for these query parameters (tab and filters), as the queue shows them."""
    form = QueueFilterForm(query)
    form.is_valid()  # invalid fields are left out, as the queue page does
    filters = form.filters()
    qs = agent_queue_qs(user=request.user, tab=filters.get("tab") or "open", filters=filters)
    return ticket_search(qs=qs, user=request.user, q=filters.get("q") or "")


def _error_lines(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [line for value in detail.values() for line in _error_lines(value)]
    if isinstance(detail, list):
        return [line for value in detail for line in _error_lines(value)]
    return [str(detail)]


@agent_required
@require_POST
def agent_bulk(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    back = reverse("tickets:agent_queue") + ("?" + request.POST["query"] if request.POST.get("query") else "")
    try:
        outcome = bulk.bulk_submit(
            actor=request.user, action=action, params=_params(request.POST), ids=_selection(request)
        )
    except serializers.ValidationError as e:
        return render(
            request, "tickets/bulk_result.html", {"errors": _error_lines(e.detail), "back": back}, status=400
        )
    except ApplicationError as e:
        return render(request, "tickets/bulk_result.html", {"errors": [e.message], "back": back}, status=400)
    if isinstance(outcome, BulkJob):
        return redirect("tickets:agent_bulk_job", job_id=outcome.pk)
    request.session[RESULT_SESSION_KEY] = {**outcome.as_dict(), "action": action, "back": back}
    return redirect("tickets:agent_bulk_result")


def _label(action: str) -> str:
    found = bulk.bulk_actions.get(action)
    return str(found.label) if found else action


@agent_required
@require_GET
def agent_bulk_result(request: HttpRequest) -> HttpResponse:
    """The summary of the last inline bulk action (kept in the session: reloading applies nothing)."""
    result = request.session.get(RESULT_SESSION_KEY)
    if not result:
        return redirect("tickets:agent_queue")
    # The summary in the language of this page, not of the request that ran it.
    result["summary"] = bulk.bulk_summary(
        changed=result["changed"], skipped=result["skipped"], failed=result["failed"]
    )
    context = {"result": result, "label": _label(result["action"]), "back": result.get("back")}
    return render(request, "tickets/bulk_result.html", context)


@agent_required
@require_GET
def agent_bulk_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A bulk job's page; while it runs, the progress part polls itself (htmx)."""
    job = bulk.bulk_job_for_user(user=request.user, job_id=job_id)
    context = {"job": job, "result": bulk.bulk_job_result(job), "label": _label(job.action)}
    template = (
        "tickets/_bulk_progress.html" if request.headers.get("HX-Request") else "tickets/bulk_result.html"
    )
    return render(request, template, context)


@agent_required
@require_GET
def agent_bulk_count(request: HttpRequest) -> HttpResponse:
    """How many tickets "all matching" would take (up to the limit), for the selection bar."""
    count = _matching(request, request.GET).order_by()[: bulk.BULK_MAX + 1].count()
    return render(request, "tickets/_bulk_count.html", {"count": count, "max": bulk.BULK_MAX})


def bulk_bar_context(user: Any) -> dict[str, Any]:
    """Choices of the selection bar's parameter fields."""
    return {
        "bulk_actions": sorted(bulk.bulk_actions.values(), key=lambda a: a.order),
        "bulk_statuses": [c for c in Ticket.Status.choices if c[0] != Ticket.Status.NEW],
        "bulk_priorities": Priority.choices,
        "bulk_agents": agent_choices(),  # (id, full name), cached like the queue filter's
        "bulk_teams": Team.objects.order_by("tier", "name"),
        "bulk_categories": category_choices()[1:],
        "bulk_placeholders": bulk.PLACEHOLDERS,
        "bulk_inline_max": bulk.BULK_INLINE_MAX,
    }


# --- merge, split, links on the ticket page ------------------------------------------------------


def _other(request: HttpRequest, text: str) -> Ticket | None:
    pk = _target_pk(text)
    if pk is None:
        return None
    try:
        return ticket_get_for_user(user=request.user, pk=pk)
    except Http404:  # not visible is not found
        return None


def _back(ticket: Ticket) -> HttpResponse:
    return redirect(reverse("tickets:agent_ticket", args=[ticket.pk]) + "#links")


@agent_required
@require_POST
def agent_merge(request: HttpRequest, pk: int) -> HttpResponse:
    source = ticket_get_for_user(user=request.user, pk=pk)
    target = _other(request, request.POST.get("target", ""))
    if target is None:
        messages.error(request, _(TARGET_NOT_FOUND))
        return _back(source)
    try:
        merge.ticket_merge(
            source=source,
            target=target,
            by=request.user,
            allow_other_customer=request.POST.get("confirm") == "1",
        )
    except ApplicationError as e:
        messages.error(request, e.message)
        return _back(source)
    messages.success(request, _("%(source)s was merged into this ticket.") % {"source": source.reference})
    return redirect("tickets:agent_ticket", pk=target.pk)


@agent_required
@require_POST
def agent_link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    other = _other(request, request.POST.get("target", ""))
    if other is None:
        messages.error(request, _(TARGET_NOT_FOUND))
        return _back(ticket)
    kind = request.POST.get("kind", "")
    source, target = (other, ticket) if kind == "child" else (ticket, other)
    try:
        links.link_create(
            source=source,
            target=target,
            kind=TicketLink.Kind.PARENT if kind == "child" else kind,
            by=request.user,
            allow_other_customer=request.POST.get("confirm") == "1",
        )
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Linked with %(reference)s.") % {"reference": other.reference})
    return _back(ticket)


@agent_required
@require_POST
def agent_unlink(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    link = TicketLink.objects.filter(links.link_filter_for(ticket), pk=link_id).first()
    if link is not None:
        links.link_delete(link=link, by=request.user)
        messages.success(request, _("Link removed."))
    return _back(ticket)


@agent_required
@require_POST
def agent_split(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    message = message_visible_qs(user=request.user, ticket=ticket).filter(pk=message_id).first()
    if message is None:
        messages.error(request, _("Choose a message to split off."))
        return redirect("tickets:agent_ticket", pk=ticket.pk)
    try:
        new = merge.message_split(message=message, by=request.user, subject=request.POST.get("subject", ""))
    except ApplicationError as e:
        messages.error(request, e.message)
        return redirect("tickets:agent_ticket", pk=ticket.pk)
    messages.success(
        request, _("Ticket %(reference)s created from the message.") % {"reference": new.reference}
    )
    return redirect("tickets:agent_ticket", pk=new.pk)


def _links_of(request: HttpRequest, ticket: Ticket) -> list[links.ShownLink]:
    """The ticket's links, read once per request (the links panel and the resolve form both show them)."""
    cache = request.__dict__.setdefault("_ticket_links", {})
    if ticket.pk not in cache:
        cache[ticket.pk] = links.ticket_links(ticket=ticket, visible=ticket_visible_qs(user=request.user))
    return cache[ticket.pk]


def _is_agent(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.is_agent)


def ticket_links_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any] | None:
    """The links panel and the merge form of the agent ticket page (agents only)."""
    if not _is_agent(request):
        return None
    return {
        "ticket": ticket,
        "links": _links_of(request, ticket),
        "link_kinds": [
            (TicketLink.Kind.RELATED, TicketLink.Kind.RELATED.label),
            (TicketLink.Kind.DUPLICATE, TicketLink.Kind.DUPLICATE.label),
            (TicketLink.Kind.CAUSED_BY, TicketLink.Kind.CAUSED_BY.label),
            (TicketLink.Kind.PARENT, TicketLink.Kind.PARENT.label),
            ("child", links.INVERSE_LABELS[TicketLink.Kind.PARENT]),
        ],
    }


def merged_banner_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any] | None:
    """The pointer on a merged-away ticket's page (agent and portal); the customer gets a link only to
    a target that is theirs too."""
    if not ticket.merged_into_id:
        return None
    target = Ticket.objects.filter(pk=ticket.merged_into_id).only("requester_id", "subject").first()
    if target is None:
        return None
    if _is_agent(request):
        url = reverse("tickets:agent_ticket", args=[target.pk])
    elif target.requester_id == ticket.requester_id:
        url = reverse("tickets:portal_detail", args=[target.reference])
    else:
        url = ""
    return {"merge_target": target, "merge_target_url": url}


def resolve_children_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any] | None:
    """ "Also resolve the open children" in the resolve form of a parent."""
    if not _is_agent(request):
        return None
    children = [
        s.other
        for s in _links_of(request, ticket)
        if s.link.kind == TicketLink.Kind.PARENT and s.link.source_id == ticket.pk and s.other.is_open
    ]
    return {"open_children": children} if children else None

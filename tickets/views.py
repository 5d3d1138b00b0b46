"""Pages of the customer portal and the agent workspace. Thin: a form validates, a service writes,
a selector reads; errors re-render the page with everything the person typed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services import customer_create_by_agent
from helpdesk.errors import ApplicationError

from . import services
from .events import portal_session_digest
from .forms import (
    ComposerForm,
    PhoneTicketForm,
    PortalReplyForm,
    PortalTicketForm,
    QueueFilterForm,
    RatingForm,
    ResolveForm,
    TriageForm,
    customer_by_login,
    open_requests_warning,
)
from .links import children_resolve
from .models import Rating, Ticket, pk_from_reference
from .presence import presence_others, presence_touch
from .selectors import requester_open_tickets, ticket_get_for_user, ticket_visible_qs
from .services import PRIORITY_MATRIX, StaleVersion
from .workspace import (
    DEFAULT_COLUMNS,
    agent_landing_tab,
    agent_queue,
    customer_suggestions,
    event_text,
    queue_columns,
    queue_neighbours,
    ticket_timeline,
)

View = Callable[..., HttpResponse]

# tickets.services raises these through ``_(CONSTANT)``; listing them here lets makemessages find them.
_SERVICE_MESSAGES = [
    gettext_noop("This ticket is closed. Please submit a new request."),
    gettext_noop("Describe the resolution."),
    gettext_noop("This ticket has already been rated."),
    gettext_noop("Only a resolved ticket can be rated."),
    gettext_noop("Customers cannot write internal notes."),
]


def agent_required(view: View) -> View:
    """Signed in (else to the sign-in page) and an agent or supervisor (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_agent:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _apply_error(form: Any, error: ApplicationError) -> None:
    """Puts a service's error on the form: on its field when the form has it, else on the form."""
    field = error.field if error.field in getattr(form, "fields", {}) else None
    form.add_error(field, error.message)


# --- Portal -------------------------------------------------------------------


def _portal_ticket(request: HttpRequest, reference: str, *, own: bool = False) -> Ticket:
    """A request the signed-in person may see (``ticket_visible_qs``: their own, and their organisation's
    where it shares them) by its reference; 404 for any other, as for a missing one. The portal is the
    customers' view: an agent's portal shows only their own requests (they work tickets in the workspace).
    ``own``: only the requester may do this (reopen, rate) — 403 for a colleague who may see it."""
    pk = pk_from_reference(reference)
    if pk is None:
        raise Http404
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    if ticket.requester_id != request.user.pk:
        if request.user.is_agent:
            raise Http404
        if own:
            raise PermissionDenied
    return ticket


@login_required
@require_http_methods(["GET", "POST"])
def portal_new(request: HttpRequest) -> HttpResponse:
    form = PortalTicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                ticket = services.ticket_create(
                    requester=request.user,
                    by=request.user,
                    subject=data["subject"],
                    description=data["description"],
                    category=data["category"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    channel=Ticket.Channel.WEB,
                    language=(request.LANGUAGE_CODE or "")[:2] or None,
                    # Lets the other apps tie the request to what this browser session did before
                    # (the knowledge base: a "solved my problem" that was not the end after all).
                    event_data=_portal_session(request),
                )
                if data["attachment"]:
                    services.attachment_add(ticket=ticket, by=request.user, file=data["attachment"])
        except ApplicationError as e:
            _apply_error(form, e)
        else:
            return redirect("tickets:portal_submitted", reference=ticket.reference)
    return render(request, "tickets/portal_new.html", {"form": form}, status=400 if form.errors else 200)


def _portal_session(request: HttpRequest) -> dict[str, str]:
    key = request.session.session_key
    return {"portal_session": portal_session_digest(key)} if key else {}


@login_required
@require_GET
def portal_submitted(request: HttpRequest, reference: str) -> HttpResponse:
    return render(request, "tickets/portal_submitted.html", {"ticket": _portal_ticket(request, reference)})


@login_required
@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    # Open requests first, the latest news on top; the solved and closed ones after them.
    done = Case(
        When(status__in=(Ticket.Status.RESOLVED, Ticket.Status.CLOSED), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    tickets = (
        ticket_visible_qs(user=request.user)
        .filter(requester=request.user)
        .select_related("category")
        .order_by(done, "-updated_at", "-id")[:200]
    )
    return render(request, "tickets/portal_list.html", {"tickets": tickets})


def _portal_detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: PortalReplyForm | None = None,
    rating_form: RatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rating = Rating.objects.filter(ticket=ticket).first()
    own = ticket.requester_id == request.user.pk
    can_rate = own and ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED) and rating is None
    can_reopen = (
        own
        and ticket.status == Ticket.Status.RESOLVED
        and ticket.resolved_at is not None
        and timezone.now() - ticket.resolved_at <= settings.HELPDESK_REOPEN_WINDOW
    )
    context = {
        "ticket": ticket,
        "timeline": ticket_timeline(user=request.user, ticket=ticket),
        "reply_form": reply_form or PortalReplyForm(),
        "rating_form": rating_form or RatingForm(),
        "rating": rating,
        "can_rate": can_rate,
        "can_reopen": can_reopen,
        "can_reply": ticket.status != Ticket.Status.CLOSED,
    }
    return render(request, "tickets/portal_detail.html", context, status=status)


@login_required
@require_GET
def portal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _portal_detail(request, _portal_ticket(request, reference))


@login_required
@require_POST
def portal_reply(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _portal_ticket(request, reference)
    form = PortalReplyForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        body, file = form.cleaned_data["body"].strip(), form.cleaned_data["attachment"]
        try:
            with transaction.atomic():
                message = None
                if body:
                    message = services.message_add(ticket=ticket, author=request.user, body=body)
                if file:
                    services.attachment_add(ticket=ticket, by=request.user, file=file, message=message)
        except ApplicationError as e:
            _apply_error(form, e)
            status = e.status_code
        else:
            messages.success(request, _("Thank you, your message was added."))
            return redirect("tickets:portal_detail", reference=ticket.reference)
    ticket.refresh_from_db()
    return _portal_detail(request, ticket, reply_form=form, status=status)


@login_required
@require_POST
def portal_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _portal_ticket(request, reference, own=True)
    try:
        services.ticket_reopen(ticket=ticket, by=request.user)
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Your request is open again. Tell us what is still wrong."))
    return redirect("tickets:portal_detail", reference=ticket.reference)


@login_required
@require_POST
def portal_rate(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _portal_ticket(request, reference, own=True)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rating_create(
                ticket=ticket,
                by=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as e:
            _apply_error(form, e)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("tickets:portal_detail", reference=ticket.reference)
    return _portal_detail(request, ticket, rating_form=form, status=400)


# --- Agent workspace ----------------------------------------------------------


@agent_required
@require_GET
def agent_queue_view(request: HttpRequest) -> HttpResponse:
    return agent_queue_page(request, params=request.GET)


def agent_queue_page(
    request: HttpRequest,
    *,
    params: QueryDict,
    columns: list[str] | None = None,
    remember_tab: bool = True,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The queue page for these query ``params`` (the request's own, or a saved view's), showing
    ``columns`` (keys of ``QUEUE_COLUMNS``; default ``DEFAULT_COLUMNS``). Links on the page are
    relative (``?…``), so they stay on the path that shows it. Apps add to its sidebar through
    ``tickets.panels.queue_panels``."""
    form = QueueFilterForm(params or None)
    form.is_valid()  # invalid fields are shown with their error and not applied; the others are
    filters: dict[str, Any] = form.filters() if form.is_bound else {}
    tab, landed = _queue_tab(request, filters.get("tab") or "", remember=remember_tab)
    sort = (form.cleaned_data.get("sort") if form.is_bound else "") or "newest"
    page = agent_queue(
        user=request.user,
        tab=tab,
        filters=filters,
        sort=sort,
        cursor=(form.cleaned_data.get("cursor") if form.is_bound else "") or "",
        limit=settings.HELPDESK_QUEUE_PAGE_SIZE,
    )
    params = params.copy()
    params.pop("cursor", None)
    tab_params = params.copy()
    tab_links = []
    for value, label in QueueFilterForm.TABS:
        tab_params["tab"] = value
        tab_links.append(
            {"value": value, "label": label, "query": tab_params.urlencode(), "active": value == tab}
        )
    next_query = None
    if page.next_cursor:
        next_params = params.copy()
        next_params["cursor"] = page.next_cursor
        next_query = next_params.urlencode()
    from_params = params.copy()
    from_params["tab"] = tab
    shown = queue_columns(columns or DEFAULT_COLUMNS)
    if any(c["key"] == "tags" for c in shown):
        prefetch_related_objects(page.rows, "tags")
    state = {"tab": tab, "filters": filters, "sort": sort, "params": params}
    context = {
        "form": form,
        "tab": tab,
        "from_query": from_params.urlencode(),  # ticket links carry it: next / previous in this order
        "landed": landed,
        "tabs": tab_links,
        "page": page,
        "next_query": next_query,
        "first_query": params.urlencode(),
        "is_later_page": bool(form.is_bound and form.cleaned_data.get("cursor")),
        "now": timezone.now(),
        "columns": shown,
        "column_keys": [c["key"] for c in shown],
        # The sidebar is not part of what an htmx filter change swaps: not built for those.
        "queue_state": None if request.headers.get("HX-Request") else state,
        **(extra or {}),
    }
    return render(request, "tickets/agent_queue.html", context)


QUEUE_TAB_SESSION_KEY = "agent_queue_tab"


def _queue_tab(request: HttpRequest, chosen: str, *, remember: bool = True) -> tuple[str, bool]:
    """The tab to show and whether the agent landed there (no tab chosen yet in this session).

    A chosen tab is remembered for the session, so "Queue" leads back to it; a fresh session lands
    where the work is (``agent_landing_tab``)."""
    if chosen:
        if remember and request.session.get(QUEUE_TAB_SESSION_KEY) != chosen:
            request.session[QUEUE_TAB_SESSION_KEY] = chosen  # a write only when the tab changes
        return chosen, False
    remembered = request.session.get(QUEUE_TAB_SESSION_KEY)
    if remembered in dict(QueueFilterForm.TABS):
        return remembered, False
    return agent_landing_tab(user=request.user), True


def _agent_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    composer: ComposerForm | None = None,
    resolve_form: ResolveForm | None = None,
    triage_form: TriageForm | None = None,
    stale: list[str] | None = None,
) -> dict[str, Any]:
    tag_names = [t.name for t in ticket.tags.all()]
    return {
        "ticket": ticket,
        "tag_names": tag_names,
        "timeline": ticket_timeline(user=request.user, ticket=ticket),
        "composer": composer or ComposerForm(initial={"version": ticket.version}),
        "resolve_form": resolve_form or ResolveForm(),
        "triage_form": triage_form
        or TriageForm(ticket=ticket, initial=TriageForm.initial_for(ticket, tag_names)),
        "stale": stale,
        "priority_matrix": {f"{i}|{u}": p for (i, u), p in PRIORITY_MATRIX.items()},
        "others": presence_others(ticket_id=ticket.pk, user=request.user),
        "presence_poll_seconds": settings.HELPDESK_PRESENCE_POLL_SECONDS,
    }


def _stale_changes(error: StaleVersion) -> list[str]:
    """What changed since the agent loaded the page, as lines naming who did what."""
    lines = []
    for event in error.events:
        who = (event.actor.get_full_name() or event.actor.username) if event.actor else _("System")
        lines.append(f"{who}: {event_text(event)}")
    return lines or [str(c) for c in error.extra.get("changes", [])]


def _agent_ticket(request: HttpRequest, pk: int) -> Ticket:
    return ticket_get_for_user(user=request.user, pk=pk)


QUEUE_FROM_SESSION_KEY = "agent_queue_from"


def _queue_nav(request: HttpRequest, ticket: Ticket) -> dict[str, Any] | None:
    """Previous / next ticket of the queue the agent came from (``?from=<the queue's query>``, else
    the last one this session came from: after a reply's redirect ``j`` still knows the queue)."""
    raw = request.GET.get("from")
    if raw is None:
        raw = request.session.get(QUEUE_FROM_SESSION_KEY)
        if raw is None:
            return None
    raw = raw[:2000]
    if request.session.get(QUEUE_FROM_SESSION_KEY) != raw:
        request.session[QUEUE_FROM_SESSION_KEY] = raw  # a write only when the queue changes
    form = QueueFilterForm(QueryDict(raw))
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    tab = filters.get("tab") or request.session.get(QUEUE_TAB_SESSION_KEY) or "open"
    around = queue_neighbours(
        user=request.user, tab=tab, filters=filters, sort=filters.get("sort") or "newest", ticket=ticket
    )
    return {"from": raw, "previous": around.previous, "next": around.next}


@agent_required
@require_GET
def agent_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _agent_ticket(request, pk)
    presence_touch(ticket_id=ticket.pk, user=request.user)
    context = _agent_context(request, ticket)
    context["queue_nav"] = _queue_nav(request, ticket)
    return render(request, "tickets/agent_ticket.html", context)


@agent_required
@require_POST
def agent_message(request: HttpRequest, pk: int) -> HttpResponse:
    """A public reply or an internal note (the button pressed says which); held back when stale."""
    ticket = _agent_ticket(request, pk)
    internal = request.POST.get("kind") == "note"
    form = ComposerForm(request.POST, request.FILES)
    status = 400
    stale = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                message = services.message_add(
                    ticket=ticket,
                    author=request.user,
                    body=data["body"],
                    internal=internal,
                    expected_version=data["version"],
                )
                if data["attachment"]:
                    services.attachment_add(
                        ticket=ticket, by=request.user, file=data["attachment"], message=message
                    )
        except StaleVersion as e:
            stale, status = _stale_changes(e), 409
        except ApplicationError as e:
            _apply_error(form, e)
            status = e.status_code
        else:
            messages.success(request, _("Internal note added.") if internal else _("Reply sent."))
            return redirect(reverse("tickets:agent_ticket", args=[ticket.pk]) + "#composer")
    # The page shows the current version again, so after reading the notice sending again goes through;
    # the bound form keeps the typed text.
    ticket.refresh_from_db()
    context = _agent_context(request, ticket, composer=form, stale=stale)
    context["composer_kind"] = "note" if internal else "reply"
    return render(request, "tickets/agent_ticket.html", context, status=status)


@agent_required
@require_POST
def agent_triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Triage through htmx: returns the panel (and, out of band, the header, timeline and versions)."""
    ticket = _agent_ticket(request, pk)
    form = TriageForm(request.POST, ticket=ticket)
    stale = None
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {
            "category": data["category"],
            "impact": data["impact"],
            "urgency": data["urgency"],
            "team": data["team"],
            "assignee": data["assignee"],
            "tags": form.tag_list(),
        }
        if data["priority"]:
            changes["priority"] = data["priority"]
        if data["status"] != ticket.status:
            changes["status"] = data["status"]
        try:
            ticket = services.ticket_update(
                ticket=ticket, by=request.user, expected_version=data["version"], **changes
            )
        except StaleVersion as e:
            stale = _stale_changes(e)
        except ApplicationError as e:
            _apply_error(form, e)
        else:
            saved = True
    ticket = _agent_ticket(request, pk)
    context = _agent_context(request, ticket)
    if not saved:
        # Keep the agent's choices; the panel carries the current version, so "Update" again applies them.
        context["triage_form"] = form
        context["triage_stale"] = stale
    context["triage_saved"] = saved
    context["oob"] = saved
    status = 409 if stale else (400 if form.errors else 200)
    if request.headers.get("HX-Request"):
        status = 200  # htmx swaps only 2xx answers; the panel itself shows the error or the notice
    return render(request, "tickets/_triage_response.html", context, status=status)


@agent_required
@require_POST
def agent_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _agent_ticket(request, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_resolve(
                ticket=ticket, by=request.user, resolution=form.cleaned_data["resolution"]
            )
        except ApplicationError as e:
            _apply_error(form, e)
        else:
            messages.success(request, _("Ticket resolved."))
            # "Also resolve these open child tickets" (tickets/_resolve_children.html, tickets.links)
            children = [int(v) for v in request.POST.getlist("children") if v.isdigit()]
            if children:
                done = children_resolve(
                    parent=ticket, by=request.user, resolution=form.cleaned_data["resolution"], ids=children
                )
                messages.success(request, _("%(n)s child tickets resolved too.") % {"n": len(done)})
            return redirect("tickets:agent_ticket", pk=ticket.pk)
    ticket.refresh_from_db()
    context = _agent_context(request, ticket, resolve_form=form)
    context["resolve_open"] = True
    return render(request, "tickets/agent_ticket.html", context, status=400)


def _agent_transition(
    request: HttpRequest, pk: int, service: Callable[..., Ticket], done: str
) -> HttpResponse:
    ticket = _agent_ticket(request, pk)
    try:
        service(ticket=ticket, by=request.user)
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, done)
    return redirect("tickets:agent_ticket", pk=ticket.pk)


@agent_required
@require_POST
def agent_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _agent_transition(request, pk, services.ticket_reopen, _("Ticket reopened."))


@agent_required
@require_POST
def agent_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _agent_transition(request, pk, services.ticket_close, _("Ticket closed."))


@agent_required
@require_POST
def agent_take(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Assign to me", refused when the ticket changed since the agent loaded the page."""
    ticket = _agent_ticket(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.ticket_update(
            ticket=ticket, by=request.user, assignee=request.user, expected_version=version
        )
    except StaleVersion as e:
        messages.warning(
            request,
            _("Not assigned: the ticket changed meanwhile (%(changes)s). Check it and try again.")
            % {"changes": "; ".join(_stale_changes(e))},
        )
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The ticket is yours now."))
    return redirect("tickets:agent_ticket", pk=ticket.pk)


@agent_required
@require_POST
def agent_presence(request: HttpRequest, pk: int) -> HttpResponse:
    """Heartbeat of an open ticket page (htmx polling); answers with who else is here."""
    ticket = _agent_ticket(request, pk)
    presence_touch(ticket_id=ticket.pk, user=request.user, typing=request.POST.get("typing") == "1")
    others = presence_others(ticket_id=ticket.pk, user=request.user)
    try:
        seen_version = int(request.POST.get("version", ""))
    except ValueError:
        seen_version = None
    # Warn early, while the agent is still writing, that the page is behind the ticket.
    outdated = seen_version is not None and seen_version < ticket.version
    return render(
        request, "tickets/_presence.html", {"ticket": ticket, "others": others, "outdated": outdated}
    )


@agent_required
@require_http_methods(["GET", "POST"])
def agent_new(request: HttpRequest) -> HttpResponse:
    """Log a phone call: a new ticket on behalf of an existing or a new customer, or a message on one
    of the caller's open tickets."""
    form = PhoneTicketForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["existing_ticket"] is not None:
                    ticket, done = _call_add(request, data), _("The call was added to %(reference)s.")
                else:
                    ticket, done = _call_create(request, data), _("Ticket %(reference)s created.")
        except ApplicationError as e:
            _apply_error(form, e)
        else:
            messages.success(request, done % {"reference": ticket.reference})
            return redirect("tickets:agent_ticket", pk=ticket.pk)
    context = {"form": form, **_caller_context(form.caller_tickets, form["ticket"].value() or "")}
    return render(request, "tickets/agent_new.html", context, status=400 if form.errors else 200)


def _caller_context(tickets: list[Ticket], choice: str) -> dict[str, Any]:
    warning = open_requests_warning(tickets) if tickets else ""
    return {"caller_tickets": tickets, "caller_warning": warning, "ticket_choice": choice}


def _call_create(request: HttpRequest, data: dict[str, Any]) -> Ticket:
    requester = data["customer"] or customer_create_by_agent(
        email=data["new_customer_email"],
        first_name=data["new_customer_first_name"],
        last_name=data["new_customer_last_name"],
        language=(request.LANGUAGE_CODE or "")[:2],
    )
    ticket = services.ticket_create(
        requester=requester,
        by=request.user,
        subject=data["subject"],
        description=data["description"],
        category=data["category"],
        impact=data["impact"],
        urgency=data["urgency"],
        channel=data["channel"],
    )
    if data["assign_to_me"]:
        ticket = services.ticket_update(ticket=ticket, by=request.user, assignee=request.user)
    return ticket


def _call_add(request: HttpRequest, data: dict[str, Any]) -> Ticket:
    """The call as a message (an internal note unless the agent chose a public one) on the caller's ticket."""
    message = services.message_add(
        ticket=data["existing_ticket"],
        author=request.user,
        body=data["description"],
        internal=data["add_as"] != "reply",
        channel=data["channel"],
    )
    return message.ticket


@agent_required
@require_GET
def agent_caller_tickets(request: HttpRequest) -> HttpResponse:
    """The chosen caller's open tickets, to add the call to one of them (htmx, "log a call")."""
    try:
        customer = customer_by_login(request.GET.get("customer", "")[:254])
    except ValidationError:
        customer = None
    tickets = requester_open_tickets(user=request.user, requester=customer) if customer else []
    context = {"form": PhoneTicketForm(user=request.user), **_caller_context(tickets, "")}
    return render(request, "tickets/_caller_tickets.html", context)


@agent_required
@require_GET
def agent_customer_options(request: HttpRequest) -> HttpResponse:
    """<option>s for the customer field of "log a call"."""
    customers = customer_suggestions(text=request.GET.get("customer", ""))
    return render(request, "tickets/_customer_options.html", {"customers": customers})

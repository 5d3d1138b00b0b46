"""Pages of the notifications app: the customer's mail preference, the one-click survey, and the agents'
notification list, preferences and follow button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk.errors import ConflictError
from tickets.models import Rating, Ticket
from tickets.selectors import ticket_get_for_user
from tickets.views import agent_required

from . import inbox, selectors
from .forms import AgentPreferencesForm, PreferencesForm, SurveyForm
from .services import notification_preferences_update, survey_rating_submit
from .survey import SurveyLinkInvalid, survey_ticket_id


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notification_preferences_update(
                user=request.user, email_updates=form.cleaned_data["email_updates"]
            )
            messages.success(request, _("Your email preferences have been saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial={"email_updates": request.user.email_updates})
    return render(request, "notifications/preferences.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the signed link is the permission. GET shows the chosen score, POST records it."""
    try:
        ticket_id = survey_ticket_id(token=token)
        ticket = Ticket.objects.select_related("requester").get(pk=ticket_id)
    except (SurveyLinkInvalid, Ticket.DoesNotExist):
        return render(request, "notifications/survey_invalid.html", status=400)
    language = ticket.requester.language or ticket.language
    with translation.override(language):
        ctx = {"ticket": ticket, "reference": ticket.reference}
        if Rating.objects.filter(ticket=ticket).exists():
            return render(request, "notifications/survey_done.html", {**ctx, "already": True})
        if request.method == "POST":
            form = SurveyForm(request.POST)
            if form.is_valid():
                try:
                    survey_rating_submit(
                        ticket=ticket, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                    )
                except ConflictError as exc:
                    already = Rating.objects.filter(ticket=ticket).exists()
                    return render(
                        request,
                        "notifications/survey_done.html",
                        {**ctx, "already": already, "problem": "" if already else exc.message},
                        status=200 if already else 409,
                    )
                return render(request, "notifications/survey_done.html", {**ctx, "thanks": True})
        else:
            score = request.GET.get("score", "")
            initial = {"score": int(score)} if score in {"1", "2", "3", "4", "5"} else {}
            form = SurveyForm(initial=initial)
        return render(request, "notifications/survey.html", {**ctx, "form": form})


# --- agents --------------------------------------------------------------------------------------------


@agent_required
@require_GET
def inbox_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    before = request.GET.get("before", "")
    items = selectors.inapp_list(
        user=request.user,
        unread_only=unread_only,
        before=int(before) if before.isdigit() and len(before) < 19 else None,  # a bigint, else ignored
    )
    more = len(items) > selectors.INBOX_PAGE
    items = items[: selectors.INBOX_PAGE]
    return render(
        request,
        "notifications/inbox.html",
        {
            "items": items,
            "unread_only": unread_only,
            "unread": selectors.inapp_unread_count(user=request.user),
            "next_before": items[-1].pk if more and items else None,
        },
    )


@agent_required
@require_GET
def inbox_badge(request: HttpRequest) -> HttpResponse:
    """The top bar's unread count (htmx loads it after the page and refreshes it every minute)."""
    count = selectors.inapp_unread_count(user=request.user)
    return render(
        request, "notifications/_badge.html", {"count": count, "shown_max": selectors.UNREAD_SHOWN_MAX}
    )


@agent_required
@require_POST
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one item read and go to its ticket (POST: opening changes the read state)."""
    ticket = inbox.inapp_open(user=request.user, pk=pk)
    return redirect("tickets:agent_ticket", ticket.pk)


@agent_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark the chosen items (``id``, repeatable) or, with ``all``, every unread item read."""
    if request.POST.get("all"):
        inbox.inapp_mark_read(user=request.user)
        messages.success(request, _("All notifications are marked as read."))
    else:
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
        inbox.inapp_mark_read(user=request.user, ids=ids)
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("notifications:inbox")


@agent_required
@require_http_methods(["GET", "POST"])
def agent_preferences(request: HttpRequest) -> HttpResponse:
    rows = inbox.notification_preferences_get(user=request.user)
    form = AgentPreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        inbox.notification_preferences_set(user=request.user, changes=form.changes())
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:agent_preferences")
    return render(request, "notifications/agent_preferences.html", {"form": form})


@agent_required
@require_POST
def ticket_follow_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    if request.POST.get("follow") == "0":
        inbox.ticket_unfollow(ticket=ticket, user=request.user)
        messages.success(request, _("You no longer follow this ticket."))
    else:
        inbox.ticket_follow(ticket=ticket, user=request.user)
        messages.success(request, _("You follow this ticket now."))
    return redirect("tickets:agent_ticket", ticket.pk)

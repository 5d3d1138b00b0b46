"""Pages of the notifications app: the customer's mail preference and the one-click survey."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from helpdesk.errors import ConflictError
from tickets.models import Rating, Ticket

from .forms import PreferencesForm, SurveyForm
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

"""Agent pages of escalation: thin — parse a form, call one service, render or redirect.

Customers get 404 on every page here (handoffs are internal); configuration is for supervisors (403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Team, User
from helpdesk.errors import ApplicationError
from tickets.models import EscalationPath
from tickets.selectors import category_tree, ticket_get_for_user

from . import kb, panels, selectors, services
from .forms import (
    AnswerForm,
    ConsultForm,
    DeclineForm,
    DeescalateForm,
    EscalateForm,
    TeamRoutingForm,
    apply_service_error,
)

SERVICE_ERRORS = (ApplicationError, PermissionDenied)


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_agent:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def supervisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_supervisor:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _back(request: HttpRequest, ticket_id: int) -> HttpResponseRedirect:
    """To ``next`` when it stays on our host (e.g. the ticket page with the card), else the handoffs page."""
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(nxt)
    return redirect("escalation:handoffs", ticket_id=ticket_id)


def _status_for(exc: Exception) -> int:
    return getattr(exc, "status_code", 403 if isinstance(exc, PermissionDenied) else 400)


# --- escalate ---------------------------------------------------------------------------------------


@agent_required
@require_http_methods(["GET", "POST"])
def escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    # The ticked checklist steps are in "steps already taken" from the start (the agent may edit them).
    initial = {"steps_taken": services.checklist_steps_text(ticket)}
    return _form_action(
        request,
        EscalateForm(request.POST or None, ticket=ticket, user=request.user, initial=initial),
        run=partial(services.ticket_escalate, ticket=ticket, by=request.user),
        success=lambda data: _("Escalated to tier %(tier)s.") % {"tier": data["to_tier"]},
        back_to=ticket.pk,
        template="escalation/escalate.html",
        context={
            "ticket": ticket,
            "action": reverse("escalation:escalate", args=[ticket.pk]),
            "blocked": _escalate_blocked(ticket),
        },
    )


@agent_required
def article_search(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The escalate form's article search: titles to tick, leaving out those listed already."""
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    listed = [int(v) for v in request.GET.getlist("listed") if v.isdigit()]
    refs = kb.article_search(
        user=request.user,
        query=request.GET.get("article_q", "")[:200],
        language=ticket.language,
        exclude=listed,
    )
    return render(request, "escalation/_article_results.html", {"refs": refs})


def _escalate_blocked(ticket: Any) -> str:
    """Why this ticket cannot go up at all (the form is not offered then), else ""."""
    if not ticket.is_open:
        return str(services.ESCALATE_NOT_OPEN)
    if ticket.tier >= 3:
        return str(services.ESCALATE_TOP_TIER)
    return ""


@agent_required
@require_http_methods(["GET", "POST"])
def consult_escalate(request: HttpRequest, consult_id: int) -> HttpResponse:
    """The escalate form, prefilled from a consult's question and answer."""
    consult = selectors.consult_get_for_user(user=request.user, pk=consult_id)
    ticket = consult.ticket
    initial = {
        **services.consult_handoff_prefill(consult=consult),
        "to_tier": consult.team.tier,
        "team": consult.team,
    }

    def run(*, to_tier: int, **data: Any) -> object:  # the consult's team fixes the tier
        return services.consult_escalate(consult=consult, by=request.user, **data)

    return _form_action(
        request,
        EscalateForm(request.POST or None, ticket=ticket, user=request.user, initial=initial),
        run=run,
        success=lambda data: _("The consult became an escalation."),
        back_to=ticket.pk,
        template="escalation/escalate.html",
        context={
            "ticket": ticket,
            "consult": consult,
            "action": reverse("escalation:consult_escalate", args=[consult.pk]),
            "blocked": _escalate_blocked(ticket),
        },
    )


# --- receive: queue, handoffs, accept, decline ---------------------------------------------------


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    escalations, consults = selectors.queues_for(user=request.user)
    ctx = {"escalations": escalations, "consults": consults, "limit": selectors.QUEUE_LIMIT}
    return render(request, "escalation/queue.html", ctx)


@agent_required
def handoffs(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket's handoff card on a page of its own (the ticket page shows it as a panel)."""
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    card = panels.handoff_card_context(request, ticket) or {"ticket": ticket}
    actions = panels.actions_context(request, ticket)
    return render(request, "escalation/handoffs.html", {**card, "ticket": ticket, "actions": actions})


@agent_required
def escalation_detail(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = selectors.escalation_get_for_user(user=request.user, pk=escalation_id)
    return redirect("escalation:handoffs", ticket_id=escalation.ticket_id)


@agent_required
@require_POST
def accept(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = selectors.escalation_get_for_user(user=request.user, pk=escalation_id)
    try:
        services.escalation_accept(escalation=escalation, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Accepted: the ticket is yours."))
    return _back(request, escalation.ticket_id)


def _form_action(
    request: HttpRequest,
    form: Any,
    *,
    run: Callable[..., object],
    success: Callable[[dict], str],
    back_to: int,
    template: str,
    context: dict,
) -> HttpResponse:
    """GET shows ``form``; a valid POST calls ``run(**cleaned_data)``, flashes ``success`` and goes back to
    the ticket. Invalid input or a refused action re-renders the form with its errors (400, or 409)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                run(**form.cleaned_data)
            except SERVICE_ERRORS as exc:
                apply_service_error(form, exc)
                status = _status_for(exc)
            else:
                messages.success(request, success(form.cleaned_data))
                return _back(request, back_to)
    return render(request, template, {**context, "form": form}, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = selectors.escalation_get_for_user(user=request.user, pk=escalation_id)
    return _form_action(
        request,
        DeclineForm(request.POST or None),
        run=partial(services.escalation_decline, escalation=escalation, by=request.user),
        success=lambda data: _("Sent back to the sending team."),
        back_to=escalation.ticket_id,
        template="escalation/decline.html",
        context={"escalation": escalation, "ticket": escalation.ticket},
    )


# --- de-escalate, consult -------------------------------------------------------------------------


@agent_required
@require_http_methods(["GET", "POST"])
def deescalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    return _form_action(
        request,
        DeescalateForm(request.POST or None, ticket=ticket),
        run=partial(services.ticket_deescalate, ticket=ticket, by=request.user),
        success=lambda data: _("Returned to tier %(tier)s.") % {"tier": data["to_tier"]},
        back_to=ticket.pk,
        template="escalation/deescalate.html",
        context={"ticket": ticket},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def consult(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    return _form_action(
        request,
        ConsultForm(request.POST or None, ticket=ticket),
        run=partial(services.consult_create, ticket=ticket, by=request.user),
        success=lambda data: _("Your question went to %(team)s.") % {"team": data["team"].name},
        back_to=ticket.pk,
        template="escalation/consult.html",
        context={"ticket": ticket},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def consult_answer(request: HttpRequest, consult_id: int) -> HttpResponse:
    consult_obj = selectors.consult_get_for_user(user=request.user, pk=consult_id)
    return _form_action(
        request,
        AnswerForm(request.POST or None),
        run=partial(services.consult_answer, consult=consult_obj, by=request.user),
        success=lambda data: _("Answer added to the ticket as an internal note."),
        back_to=consult_obj.ticket_id,
        template="escalation/consult_answer.html",
        context={"consult": consult_obj, "ticket": consult_obj.ticket},
    )


# --- supervisor configuration ----------------------------------------------------------------------


@supervisor_required
@require_http_methods(["GET", "POST"])
def config_paths(request: HttpRequest) -> HttpResponse:
    """Escalation paths per category (tier → team) and the default team per tier, in one form."""
    categories = category_tree()
    teams = list(Team.objects.order_by("tier", "name"))
    by_pk = {t.pk: t for t in teams}
    paths = {(p.category_id, p.tier): p.team_id for p in EscalationPath.objects.all()}
    tiers = (1, 2, 3)
    if request.method == "POST":
        try:
            for tier in tiers:
                default = by_pk.get(_int(request.POST.get(f"default-{tier}")))
                services.team_default_set(tier=tier, team=default)
            for cat in categories:
                for tier in tiers:
                    team = by_pk.get(_int(request.POST.get(f"path-{cat.pk}-{tier}")))
                    if paths.get((cat.pk, tier)) != (team.pk if team else None):
                        services.escalation_path_set(category=cat, tier=tier, team=team)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Escalation paths saved."))
        return redirect("escalation:config_paths")
    defaults = {t.tier: t for t in teams if t.is_default_for_tier}
    cats = {c.pk: c for c in categories}
    rows = [
        {
            "category": cat,
            "cells": [
                (tier, paths.get((cat.pk, tier)), _inherited(cat, tier, cats, paths, by_pk, defaults))
                for tier in tiers
            ],
        }
        for cat in categories
    ]
    ctx = {
        "rows": rows,
        "tiers": tiers,
        "teams_by_tier": {tier: [t for t in teams if t.tier == tier] for tier in tiers},
        "defaults": {tier: t.pk for tier, t in defaults.items()},
    }
    return render(request, "escalation/config_paths.html", ctx)


def _inherited(cat: Any, tier: int, cats: dict, paths: dict, by_pk: dict, defaults: dict) -> str:
    """What a category without a path of its own gets at ``tier``, as tickets.services.route_team
    routes it: the nearest parent's path, else the tier's default team."""
    parent = cats.get(cat.parent_id)
    while parent is not None:
        team_id = paths.get((parent.pk, tier))
        if team_id:
            return _("%(team)s (from %(category)s)") % {
                "team": by_pk[team_id].name,
                "category": parent.localized_name,
            }
        parent = cats.get(parent.parent_id)
    if tier in defaults:
        return _("%(team)s (default)") % {"team": defaults[tier].name}
    return _("no team")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@supervisor_required
@require_http_methods(["GET", "POST"])
def config_teams(request: HttpRequest) -> HttpResponse:
    """Teams with tier, routing, load cap and members; routing and cap are edited here."""
    if request.method == "POST":
        form = TeamRoutingForm(request.POST)
        if form.is_valid():
            services.team_routing_set(**form.cleaned_data)
            messages.success(request, _("%(team)s saved.") % {"team": form.cleaned_data["team"].name})
        else:
            messages.error(request, _("Not saved: check routing and the maximum."))
        return redirect("escalation:config_teams")
    members = User.objects.filter(role__in=(User.Role.AGENT, User.Role.SUPERVISOR)).order_by("username")
    teams = Team.objects.order_by("tier", "name").prefetch_related(Prefetch("members", queryset=members))
    rows = [
        (
            team,
            TeamRoutingForm(
                initial={"team": team, "routing": team.routing, "max_open_per_agent": team.max_open_per_agent}
            ),
        )
        for team in teams
    ]
    return render(request, "escalation/config_teams.html", {"rows": rows})

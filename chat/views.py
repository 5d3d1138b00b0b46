"""The agents' chat inbox page. Everything live on it goes over the agent WebSocket (consumers.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import Team
from tickets.views import agent_required

from . import services
from .forms import ChatSettingsForm, TeamCapForm
from .models import AgentChatStatus, ChatSettings


@agent_required
def inbox(request: HttpRequest) -> HttpResponse:
    status = AgentChatStatus.objects.filter(agent=request.user).first()
    strings = {
        "connected": _("Connected"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "accept": _("Accept"),
        "open": _("Show chat"),
        "offered": _("Offered to you"),
        "waiting_since": _("waiting since %(time)s"),
        "typing": _("%(name)s is typing…"),
        "customer": _("Customer"),
        "ended": _("This chat has ended."),
        "new_chat": _("A customer is waiting for a chat."),
        "you": _("You"),
    }
    return render(
        request, "chat/inbox.html", {"available": bool(status and status.available), "strings": strings}
    )


@agent_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Supervisors: the answer bot, the websites that may embed the widget, each team's chat cap."""
    if not request.user.is_supervisor:
        raise PermissionDenied
    current = ChatSettings.load()
    form = ChatSettingsForm(
        request.POST if request.method == "POST" and "team" not in request.POST else None,
        initial={"bot_enabled": current.bot_enabled, "allowed_origins": current.allowed_origins},
    )
    if request.method == "POST" and "team" in request.POST:
        team = get_object_or_404(Team, pk=request.POST.get("team"))
        cap = TeamCapForm(request.POST)
        if cap.is_valid():
            services.team_chat_cap_set(by=request.user, team=team, **cap.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("chat:settings")
    elif request.method == "POST" and form.is_valid():
        services.chat_settings_update(by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("chat:settings")
    caps = {t.team_id: t.max_chats_per_agent for t in services.TeamChatSettings.objects.all()}
    teams = [
        (
            team,
            TeamCapForm(
                initial={"max_chats_per_agent": caps.get(team.pk, services.DEFAULT_MAX_CHATS_PER_AGENT)}
            ),
        )
        for team in Team.objects.filter(tier=1).order_by("name")
    ]
    return render(request, "chat/settings.html", {"form": form, "teams": teams})

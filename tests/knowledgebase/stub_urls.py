"""Test-only pages standing in for the UI helper's portal form and agent ticket page, with exactly the
hooks the knowledge base relies on: ``#kb-suggestions`` inside the request form, and the agent
panels beside ``form#reply-form`` with its ``textarea#id_body``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from helpdesk.urls import urlpatterns as site_urlpatterns
from tickets.models import Ticket
from tickets.panels import agent_ticket_panels, render_panels

PORTAL = """{% extends "base.html" %}{% block content %}
<form id="portal-form" method="post" action="/portal/new/">{% csrf_token %}
  <input id="id_subject" name="subject">
  <textarea id="id_description" name="description"></textarea>
  <div id="kb-suggestions" hx-get="/help/suggest/"
       hx-trigger="keyup changed delay:400ms from:#id_subject, keyup changed delay:400ms from:#id_description"
       hx-include="#id_subject,#id_description"></div>
  <button type="submit">Submit</button>
</form>{% endblock %}"""

AGENT = """{% extends "base.html" %}{% block content %}
<div class="grid"><section>
  <form id="reply-form" method="post"><textarea id="id_body" name="body"></textarea></form>
  {% for template, ctx in actions %}{% include template with ticket=ctx.ticket %}{% endfor %}
</section><aside>
  {% for template, ctx in side %}{% include template with ticket=ctx.ticket kb_hits=ctx.kb_hits kb_linked_ids=ctx.kb_linked_ids checklist=ctx.checklist ticked_ids=ctx.ticked_ids canned_responses=ctx.canned_responses %}{% endfor %}
</aside></div>{% endblock %}"""


def portal_stub(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(PORTAL).render({}, request))


def agent_stub(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = Ticket.objects.get(pk=ticket_id)
    context = {
        "side": render_panels(agent_ticket_panels, request, ticket, "side"),
        "actions": render_panels(agent_ticket_panels, request, ticket, "actions"),
    }
    return HttpResponse(engines["django"].from_string(AGENT).render(context, request))


urlpatterns = [
    path("stub/portal/new/", portal_stub),
    path("stub/agent/<int:ticket_id>/", agent_stub),
    *site_urlpatterns,
]

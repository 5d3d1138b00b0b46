"""What a new user tripped over on the escalation pages (issue 11): the system message's author,
checklist steps in the handoff, articles picked by title, the resolve form, Cancel, the queue order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from escalation import services
from escalation.models import Consult, Escalation
from knowledgebase.models import Article, Checklist, ChecklistItem
from knowledgebase.search import search_vector_refresh
from knowledgebase.services import checklist_tick_set
from notifications.models import Notification
from tickets import services as core
from tickets.models import Message

pytestmark = pytest.mark.django_db

PASSED_ON = "passed to a specialist team"


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def _article(title: str, **kwargs) -> Article:  # noqa: ANN003
    defaults = {
        "slug": title.lower().replace(" ", "-"),
        "body": f"{title}: what to do.",
        "status": "published",
    }
    article = Article.objects.create(title=title, **{**defaults, **kwargs})
    search_vector_refresh(article_ids=[article.pk])  # what the knowledge base's services do (PostgreSQL)
    return article


def _entry(html: str, marker: str) -> str:
    """The timeline entry (``<li>…</li>``) that contains ``marker``."""
    at = html.index(marker)
    return html[html.rindex("<li", 0, at) : html.index("</li>", at)]


# --- 1: the automatic public update is the helpdesk's, not the customer's ---------------------------


def test_the_escalation_update_is_the_service_desks_in_the_portal(alice, tina, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    html = _client(alice).get(f"/portal/tickets/{vpn_ticket.reference}/").content.decode()
    entry = _entry(html, PASSED_ON)
    assert "Service desk" in entry
    assert "<strong>You</strong>" not in entry
    assert "from-system" in entry


def test_the_escalation_update_is_the_service_desks_on_the_agent_page(tina, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    html = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/").content.decode()
    entry = _entry(html, PASSED_ON)
    assert "Service desk" in entry
    assert "Unknown" not in entry
    assert ">?<" not in entry


def test_the_api_says_the_system_wrote_the_escalation_update(api_as, alice, tina, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    body = api_as(alice).get(f"/api/v1/tickets/{vpn_ticket.pk}/messages/").json()
    rows = body["results"] if isinstance(body, dict) else body
    update = next(m for m in rows if PASSED_ON in m["body"])
    assert update["author_kind"] == "system"
    assert update["system"] is True
    assert update["author"] is None
    assert update["author_name"] == "Service desk"
    assert Message.objects.get(pk=update["id"]).system


def test_the_system_update_mails_as_forwarded_never_as_a_reply_by_someone(alice, tina, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    kinds = set(Notification.objects.filter(recipient=alice).values_list("kind", flat=True))
    assert Notification.Kind.FORWARDED in kinds
    assert Notification.Kind.REPLY not in kinds


# --- 2: ticked checklist steps reach "steps already taken" ----------------------------------------


@pytest.fixture
def ticked(vpn_ticket, network_category, tina):  # noqa: ANN001, ANN201
    checklist = Checklist.objects.create(category=network_category, title="VPN checks")
    first = ChecklistItem.objects.create(checklist=checklist, text="Restarted the router", position=0)
    ChecklistItem.objects.create(checklist=checklist, text="Checked the cable", position=1)
    third = ChecklistItem.objects.create(checklist=checklist, text="Tried another network", position=2)
    for item in (first, third):
        checklist_tick_set(ticket=vpn_ticket, item=item, by=tina, ticked=True)
    return ["Restarted the router", "Tried another network"]


def test_ticked_steps_are_in_the_escalate_form(tina, vpn_ticket, ticked):
    html = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/escalate/").content.decode()
    steps = html[
        html.index('name="steps_taken"') : html.index("</textarea>", html.index('name="steps_taken"'))
    ]
    for step in ticked:
        assert step in steps
    assert "Checked the cable" not in steps


def test_ticked_steps_reach_the_handoff_once(tina, vpn_ticket, handoff, ticked):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    assert esc.steps_taken.startswith(handoff["steps_taken"])
    for step in ticked:
        assert esc.steps_taken.count(step) == 1
    assert "Checked the cable" not in esc.steps_taken
    # the form already had them: not added twice
    again = core.ticket_create(requester=vpn_ticket.requester, by=tina, subject="x", description="y")
    assert services.checklist_steps_text(again) == ""


# --- 13: articles picked by title ----------------------------------------------------------------


def test_escalate_form_asks_for_no_article_ids_and_offers_titles(tina, vpn_ticket):
    _article("VPN disconnects every few minutes")
    html = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/escalate/").content.decode()
    assert "ids" not in html.lower().replace("hidden", "")
    assert "VPN disconnects every few minutes" in html
    assert 'id="article-search"' in html


def test_article_search_finds_titles_to_tick(tina, vpn_ticket):
    article = _article("Reset the printer queue")
    res = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/escalate/articles/", {"article_q": "printer"})
    html = res.content.decode()
    assert res.status_code == 200
    assert "Reset the printer queue" in html
    assert f'name="articles_tried" value="{article.pk}"' in html
    # one already listed in the form is not offered again
    res = _client(tina).get(
        f"/agent/tickets/{vpn_ticket.pk}/escalate/articles/",
        {"article_q": "printer", "listed": article.pk},
    )
    assert "Reset the printer queue" not in res.content.decode()


def test_picked_articles_are_saved_as_ids_and_shown_by_title(tina, nick, vpn_ticket, handoff):
    picked = _article("Reset the printer queue")
    res = _client(tina).post(
        f"/agent/tickets/{vpn_ticket.pk}/escalate/",
        {"from_tier": 1, "to_tier": 2, **handoff, "articles_tried": [picked.pk]},
    )
    assert res.status_code == 302
    assert Escalation.objects.get().articles_tried == [picked.pk]
    html = _client(nick).get(f"/agent/tickets/{vpn_ticket.pk}/handoffs/").content.decode()
    card = html[html.index("articles-tried") :]
    assert "Reset the printer queue" in card[: card.index("</dd>")]
    assert f"#{picked.pk}" not in card[: card.index("</dd>")]


def test_an_unknown_article_id_is_refused_by_the_form(tina, vpn_ticket, handoff):
    res = _client(tina).post(
        f"/agent/tickets/{vpn_ticket.pk}/escalate/",
        {"from_tier": 1, "to_tier": 2, **handoff, "articles_tried": [999999]},
    )
    assert res.status_code == 400
    assert not Escalation.objects.exists()


def test_the_api_still_takes_article_ids(api_as, tina, vpn_ticket, handoff):
    article = _article("Reset the printer queue")
    res = api_as(tina).post(
        f"/api/v1/tickets/{vpn_ticket.pk}/escalate/",
        {**handoff, "articles_tried": [article.pk]},
        format="json",
    )
    assert res.status_code in (200, 201), res.content
    assert Escalation.objects.get().articles_tried == [article.pk]


# --- 16: resolve ----------------------------------------------------------------------------------


def test_resolve_form_says_the_text_goes_to_the_customer(tina, vpn_ticket):
    html = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/").content.decode()
    form = html[html.index("agent_resolve") if "agent_resolve" in html else html.index("/resolve/") :]
    assert "The customer gets this text as the solution" in form


def test_resolve_form_warns_while_a_consult_is_open(tina, vpn_ticket, network_team):
    client = _client(tina)
    assert 'id="resolve-open-consult"' not in client.get(f"/agent/tickets/{vpn_ticket.pk}/").content.decode()
    Consult.objects.create(
        ticket=vpn_ticket, team=network_team, asked_by=tina, question="Is the tunnel config right?"
    )
    html = client.get(f"/agent/tickets/{vpn_ticket.pk}/").content.decode()
    assert 'id="resolve-open-consult"' in html
    assert "Network" in html[html.index('id="resolve-open-consult"') :][:400]


def test_the_solved_mail_carries_the_resolution_never_a_note(alice, tina, vpn_ticket):
    core.message_add(ticket=vpn_ticket, author=tina, body="INTERNAL: admin password hunter2", internal=True)
    core.ticket_resolve(ticket=vpn_ticket, by=tina, resolution="Updated the VPN client to 5.3; it holds now.")
    mail = Notification.objects.get(kind=Notification.Kind.RESOLVED, recipient=alice)
    assert "Updated the VPN client to 5.3; it holds now." in mail.body_text
    assert "Updated the VPN client to 5.3; it holds now." in mail.body_html
    assert "hunter2" not in mail.body_text + mail.body_html


# --- 22: Cancel, and the queue by waiting time ----------------------------------------------------


def test_consult_decline_and_deescalate_forms_have_cancel(tina, nick, vpn_ticket, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    pages = [
        (tina, f"/agent/tickets/{vpn_ticket.pk}/consult/"),
        (nick, f"/agent/escalations/{esc.pk}/decline/"),
        (nick, f"/agent/tickets/{vpn_ticket.pk}/de-escalate/"),
    ]
    for user, url in pages:
        html = _client(user).get(url).content.decode()
        assert f'href="/agent/tickets/{vpn_ticket.pk}/" id="cancel"' in html, url


def test_queue_lists_the_longest_waiting_first_with_the_waiting_time(
    alice, tina, nick, network_category, handoff
):
    tickets = [
        core.ticket_create(
            requester=alice, by=alice, subject=f"T{i}", description="d", category=network_category
        )
        for i in range(2)
    ]
    newer, older = (services.ticket_escalate(ticket=t, by=tina, **handoff) for t in tickets)
    # the second escalation (higher id) has waited longer
    Escalation.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=5))
    Escalation.objects.filter(pk=newer.pk).update(created_at=timezone.now() - timedelta(hours=1))
    html = _client(nick).get("/agent/escalations/").content.decode()
    assert html.index(f'id="esc-row-{older.pk}"') < html.index(f'id="esc-row-{newer.pk}"')
    row = html[html.index(f'id="esc-row-{older.pk}"') :]
    assert "5\xa0hours" in row[: row.index("</td>")] or "5 hours" in row[: row.index("</td>")]

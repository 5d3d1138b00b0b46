from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from tests.factories import CategoryFactory, TicketFactory, UserFactory
from tickets import selectors, services, workspace
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def ticket_url(ticket: Ticket, suffix: str = "") -> str:
    return reverse("tickets:agent_ticket", args=[ticket.pk]) + suffix


AGENT_URLS = ["/agent/", "/agent/tickets/new/", "/agent/tickets/{pk}/"]


@pytest.mark.parametrize("url", AGENT_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, alice_ticket, url):
    response = client.get(url.format(pk=alice_ticket.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", AGENT_URLS)
def test_customers_cannot_open_the_workspace(client_as, alice, alice_ticket, url):
    assert client_as(alice).get(url.format(pk=alice_ticket.pk)).status_code == 403


@pytest.mark.parametrize("suffix", ["messages/", "triage/", "resolve/", "reopen/", "close/", "presence/"])
def test_customers_cannot_post_to_the_workspace(client_as, alice, alice_ticket, suffix):
    response = client_as(alice).post(ticket_url(alice_ticket, suffix), {"body": "x", "version": 1})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_an_unknown_ticket_is_not_found(client_as, tina):
    assert client_as(tina).get("/agent/tickets/999999/").status_code == 404


# --- Queue --------------------------------------------------------------------


def _subjects(response) -> list[str]:  # noqa: ANN001
    return [t.subject for t in response.context["page"].rows]


def test_the_queue_tabs(client_as, tina, nick, alice, service_desk, network_team):
    # given
    mine = TicketFactory(subject="mine", requester=alice, assignee=tina, team=service_desk, status="open")
    TicketFactory(subject="nicks", requester=alice, assignee=nick, team=network_team, tier=2, status="open")
    unassigned = TicketFactory(subject="unassigned", requester=alice, team=service_desk)
    TicketFactory(subject="done", requester=alice, team=service_desk, status="closed")
    c = client_as(tina)
    # then
    assert _subjects(c.get("/agent/")) == ["mine"]
    assert _subjects(c.get("/agent/?tab=team")) == ["unassigned", "mine"]
    assert _subjects(c.get("/agent/?tab=unassigned")) == ["unassigned"]
    assert _subjects(c.get("/agent/?tab=open")) == ["unassigned", "nicks", "mine"]
    assert _subjects(c.get("/agent/?tab=open&status=closed")) == ["done"]
    assert mine.reference in c.get("/agent/").content.decode()
    assert unassigned.subject in c.get("/agent/?tab=unassigned").content.decode()


def test_an_agent_with_nothing_assigned_lands_on_the_unassigned_tickets(client_as, tina, alice, service_desk):
    # given: nothing is tina's, a new request waits in her team
    waiting = TicketFactory(subject="waiting", requester=alice, team=service_desk)
    c = client_as(tina)
    # when
    response = c.get("/agent/")
    # then
    assert response.context["tab"] == "unassigned"
    assert _subjects(response) == ["waiting"]
    assert "Nothing is assigned to you" in response.content.decode()
    # once a ticket is hers, a fresh session lands on "Mine"
    services.ticket_update(ticket=waiting, by=tina, assignee=tina)
    assert client_as(tina).get("/agent/").context["tab"] == "mine"


def test_the_queue_remembers_the_last_tab_of_the_session(client_as, tina, alice, service_desk):
    TicketFactory(subject="mine", requester=alice, team=service_desk, assignee=tina, status="open")
    c = client_as(tina)
    assert c.get("/agent/").context["tab"] == "mine"
    c.get("/agent/?tab=team")
    response = c.get("/agent/")
    assert response.context["tab"] == "team"
    assert "Nothing is assigned to you" not in response.content.decode()


def test_the_queue_names_categories_in_the_agents_language(client_as, tina, alice):
    TicketFactory(
        requester=alice,
        assignee=tina,
        status="open",
        category=CategoryFactory(name="Network", name_de="Netzwerk"),
    )
    tina.language = "de"
    tina.save(update_fields=["language"])
    with translation.override("en"):  # the request activates German; the next tests get English back
        html = client_as(tina).get("/agent/").content.decode()
    assert "Netzwerk" in html
    assert "Network" not in html


def test_queue_filters(client_as, tina, alice, network_category, network_team):
    TicketFactory(subject="VPN broken", requester=alice, priority="P1", category=network_category)
    TicketFactory(subject="VPN slow", requester=alice, priority="P4", tier=2, team=network_team)
    TicketFactory(subject="Printer", requester=alice, priority="P1")
    c = client_as(tina)
    assert _subjects(c.get("/agent/?tab=open&q=vpn")) == ["VPN slow", "VPN broken"]
    assert _subjects(c.get("/agent/?tab=open&q=vpn&priority=P1")) == ["VPN broken"]
    assert _subjects(c.get(f"/agent/?tab=open&category={network_category.pk}")) == ["VPN broken"]
    assert _subjects(c.get(f"/agent/?tab=open&team={network_team.pk}")) == ["VPN slow"]
    assert _subjects(c.get("/agent/?tab=open&tier=2")) == ["VPN slow"]


def test_the_queue_finds_a_ticket_by_its_reference(client_as, tina, alice):
    t = TicketFactory(subject="Needle", requester=alice)
    TicketFactory(subject="Hay", requester=alice)
    assert _subjects(client_as(tina).get(f"/agent/?tab=open&q={t.reference}")) == ["Needle"]


def test_bad_filter_values_are_ignored_not_errors(client_as, tina, alice):
    TicketFactory(subject="a", requester=alice)
    response = client_as(tina).get("/agent/?tab=open&sort=requester__password&tier=x&cursor=%%%")
    assert response.status_code == 200


def test_sorting_by_due_time_puts_tickets_without_one_last(client_as, tina, alice):
    now = timezone.now()
    TicketFactory(subject="no due", requester=alice)
    TicketFactory(subject="later", requester=alice, resolution_due=now + timedelta(hours=5))
    TicketFactory(subject="soon", requester=alice, resolution_due=now + timedelta(hours=1))
    TicketFactory(subject="fr soon", requester=alice, first_response_due=now + timedelta(minutes=5))
    c = client_as(tina)
    assert _subjects(c.get("/agent/?tab=open&sort=resolution_due")) == ["soon", "later", "no due", "fr soon"]
    assert _subjects(c.get("/agent/?tab=open&sort=first_response_due"))[0] == "fr soon"


@pytest.mark.parametrize("sort", ["newest", "oldest", "resolution_due", "priority", "updated"])
def test_keyset_pages_cover_every_ticket_once(client_as, tina, alice, settings, sort):
    # given: 7 tickets, some sharing due times and priorities, some without a due time
    settings.HELPDESK_QUEUE_PAGE_SIZE = 3
    base = timezone.now()
    for i in range(7):
        TicketFactory(
            subject=f"t{i}",
            requester=alice,
            priority=["P1", "P2"][i % 2],
            resolution_due=None if i % 3 == 0 else base + timedelta(hours=i % 2),
        )
    c = client_as(tina)
    # when
    seen: list[str] = []
    url = f"/agent/?tab=open&sort={sort}"
    for _ in range(5):
        response = c.get(url)
        seen += _subjects(response)
        if not response.context["next_query"]:
            break
        url = "/agent/?" + response.context["next_query"]
    # then
    assert sorted(seen) == [f"t{i}" for i in range(7)]
    assert len(seen) == 7


def test_queue_query_count_does_not_grow_with_rows(
    client_as, tina, alice, service_desk, django_assert_max_num_queries
):
    c = client_as(tina)
    c.get("/agent/?tab=team")  # choosing the tab writes it to the session once
    for n in (3, 30):
        for _ in range(n - Ticket.objects.count()):
            TicketFactory(requester=UserFactory(), team=service_desk, assignee=tina, status="open")
        with django_assert_max_num_queries(9):  # + the selection bar's agents, teams and macros
            response = c.get("/agent/?tab=team")
        assert len(response.context["page"].rows) == min(n, 25)


# --- Ticket page ------------------------------------------------------------------


def test_the_ticket_page_interleaves_messages_and_events_and_marks_notes(
    client_as, tina, alice, alice_ticket
):
    services.message_add(ticket=alice_ticket, author=tina, body="Checked the logs", internal=True)
    services.ticket_update(ticket=alice_ticket, by=tina, priority="P1")
    services.message_add(ticket=alice_ticket, author=tina, body="Please restart")
    html = client_as(tina).get(ticket_url(alice_ticket)).content.decode()
    note, event, reply = (
        html.index("Checked the logs"),
        html.index("Priority changed"),
        html.index("Please restart"),
    )
    assert note < event < reply
    assert 'data-kind="note"' in html
    assert "entry-body internal" in html
    assert "Internal note" in html


def test_the_ticket_pages_right_column_is_collapsible_panels(client_as, tina, alice_ticket):
    # given
    from knowledgebase.models import CannedResponse

    CannedResponse.objects.create(title="Password reset", body="Hello")
    # when
    html = client_as(tina).get(ticket_url(alice_ticket)).content.decode()
    # then: below the actions every panel is a <details> under its heading; the most used are open
    aside = html[html.index("<aside>") : html.index("</aside>")]
    panels = dict(re.findall(r'<details class="side-panel" data-panel="([\w-]+)"( open)?>', aside))
    assert panels == {
        "triage": " open",
        "details": " open",
        "links_panel": " open",
        "agent_articles": " open",
        "agent_panel": "",
        "agent_canned": "",
        "delivery_panel": "",
        "time_panel": " open",
    }
    assert aside.count('<section class="card') == len(panels) - 2  # every registered panel is inside one


def test_ticket_page_query_count_does_not_grow_with_the_timeline(
    client_as, tina, alice, alice_ticket, django_assert_max_num_queries
):
    c = client_as(tina)
    c.get(ticket_url(alice_ticket))  # warm the per-process caches (the knowledge base's synonyms)
    for n in (3, 30):
        while alice_ticket.messages.count() < n:
            i = alice_ticket.messages.count()
            m = services.message_add(
                ticket=alice_ticket, author=tina if i % 2 else alice, body=f"m{i}", internal=i % 4 == 1
            )
            services.attachment_add(
                ticket=alice_ticket, by=tina, file=SimpleUploadedFile(f"f{i}.txt", b"x"), message=m
            )
            services.attachment_add(ticket=alice_ticket, by=alice, file=SimpleUploadedFile(f"g{i}.txt", b"x"))
            services.ticket_update(ticket=alice_ticket, by=tina, tags=[f"tag{i}"])
        # The page itself and the panels of escalation (with the resolve form's open-consult warning),
        # SLA, notifications, email and the knowledge base (whose suggestion search runs once per
        # language, 7 statements each on PostgreSQL), time (entries, the agent's timer), automation (the
        # macros, the log), links, the followers (Follow button), the requester's organisations (notes
        # for agents): constant in rows.
        with django_assert_max_num_queries(44):
            response = c.get(ticket_url(alice_ticket))
        assert response.content.decode().count("entry-text") == n + 1


def test_an_agent_replies_and_adds_a_note_with_a_file(client_as, tina, alice_ticket):
    c = client_as(tina)
    v = alice_ticket.version
    r1 = c.post(
        ticket_url(alice_ticket, "messages/"), {"body": "Public answer", "version": v, "kind": "reply"}
    )
    alice_ticket.refresh_from_db()
    r2 = c.post(
        ticket_url(alice_ticket, "messages/"),
        {
            "body": "Secret",
            "version": alice_ticket.version,
            "kind": "note",
            "attachment": SimpleUploadedFile("n.txt", b"x"),
        },
    )
    assert (r1.status_code, r2.status_code) == (302, 302)
    reply, note = alice_ticket.messages.order_by("id")
    assert (reply.body, reply.internal, note.body, note.internal) == ("Public answer", False, "Secret", True)
    assert note.attachments.get().internal


def test_a_reply_against_an_outdated_version_is_held_back_and_can_be_sent_again(
    client_as, tina, nick, alice_ticket
):
    # given: tina loaded the page, then nick changed the ticket
    c = client_as(tina)
    seen_version = c.get(ticket_url(alice_ticket)).context["ticket"].version
    services.ticket_update(ticket=alice_ticket, by=nick, priority="P1")
    services.message_add(ticket=alice_ticket, author=nick, body="I am on it", internal=True)
    # when
    response = c.post(
        ticket_url(alice_ticket, "messages/"),
        {"body": "My long answer", "version": seen_version, "kind": "reply"},
    )
    # then
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed while you were writing" in html
    assert "Nick: Priority changed: P3 medium → P1 critical" in html
    assert "My long answer" in html
    assert not alice_ticket.messages.filter(body="My long answer").exists()
    # and sending again (the page now carries the current version) goes through
    alice_ticket.refresh_from_db()
    assert f'value="{alice_ticket.version}" id="composer-version"' in html
    again = c.post(
        ticket_url(alice_ticket, "messages/"),
        {"body": "My long answer", "version": alice_ticket.version, "kind": "reply"},
    )
    assert again.status_code == 302
    assert alice_ticket.messages.filter(body="My long answer").exists()


def test_an_empty_reply_is_a_form_error(client_as, tina, alice_ticket):
    response = client_as(tina).post(
        ticket_url(alice_ticket, "messages/"), {"body": "", "version": alice_ticket.version}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def _triage(ticket: Ticket, **changes: object) -> dict[str, object]:
    data = {
        "category": ticket.category_id or "",
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "priority": "",
        "status": ticket.status,
        "team": ticket.team_id or "",
        "assignee": ticket.assignee_id or "",
        "tags": "",
        "version": ticket.version,
    }
    data.update(changes)
    return data


def test_triage_through_htmx(client_as, tina, alice_ticket, network_category):
    response = client_as(tina).post(
        ticket_url(alice_ticket, "triage/"),
        _triage(
            alice_ticket,
            impact="high",
            urgency="high",
            assignee=tina.pk,
            tags="vpn, Urgent",
            category=network_category.pk,
        ),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    alice_ticket.refresh_from_db()
    assert (alice_ticket.priority, alice_ticket.assignee, alice_ticket.status) == ("P1", tina, "open")
    assert alice_ticket.category == network_category
    assert sorted(alice_ticket.tags.values_list("name", flat=True)) == ["urgent", "vpn"]
    html = response.content.decode()
    assert 'id="composer-version" hx-swap-oob="true"' in html
    assert f'value="{alice_ticket.version}"' in html


def test_the_triage_panel_names_its_empty_choices(client_as, tina, alice_ticket):
    html = client_as(tina).get(ticket_url(alice_ticket)).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>Nobody yet</option>' in html


@pytest.mark.parametrize(("language", "tier_word"), [("en", "Tier"), ("de", "Stufe")])
def test_teams_and_tiers_are_named_in_words_on_the_queue_and_in_triage(
    client_as, tina, alice_ticket, language, tier_word
):  # noqa: ANN001
    tina.language = language
    tina.save(update_fields=["language"])
    team = alice_ticket.team
    client = client_as(tina)
    try:
        triage = client.get(ticket_url(alice_ticket)).content.decode()
        queue = client.get("/agent/?tab=all").content.decode()
    finally:
        translation.activate("en")
    assert f">{team.name} · {tier_word} {team.tier}</option>" in triage  # not "Service Desk (T1)"
    assert f"{tier_word} {alice_ticket.tier} · {team.name}" in queue  # not "T1 · Service Desk"
    assert f"(T{team.tier})" not in triage + queue


def test_triage_priority_override(client_as, tina, alice_ticket):
    client_as(tina).post(ticket_url(alice_ticket, "triage/"), _triage(alice_ticket, priority="P1"))
    alice_ticket.refresh_from_db()
    assert (alice_ticket.priority, alice_ticket.priority_overridden) == ("P1", True)


def test_stale_triage_keeps_the_agents_choices(client_as, tina, nick, alice_ticket):
    data = _triage(alice_ticket, urgency="high")
    services.ticket_update(ticket=alice_ticket, by=nick, impact="low")
    response = client_as(tina).post(ticket_url(alice_ticket, "triage/"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "someone changed this ticket" in html
    assert "Impact changed" in html
    alice_ticket.refresh_from_db()
    assert alice_ticket.urgency == "medium"


def test_an_impossible_status_is_shown_in_the_panel(client_as, tina, alice_ticket):
    services.ticket_close(ticket=alice_ticket, by=tina)
    alice_ticket.refresh_from_db()
    response = client_as(tina).post(ticket_url(alice_ticket, "triage/"), _triage(alice_ticket, status="open"))
    assert response.status_code == 400
    assert "cannot go from Closed to Open" in response.content.decode()


def test_resolve_reopen_close(client_as, tina, alice_ticket):
    c = client_as(tina)
    empty = c.post(ticket_url(alice_ticket, "resolve/"), {"resolution": " "})
    assert empty.status_code == 400
    assert c.post(ticket_url(alice_ticket, "resolve/"), {"resolution": "Fixed"}).status_code == 302
    alice_ticket.refresh_from_db()
    assert (alice_ticket.status, alice_ticket.resolution) == ("resolved", "Fixed")
    c.post(ticket_url(alice_ticket, "reopen/"))
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == "open"
    c.post(ticket_url(alice_ticket, "close/"))
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == "closed"
    response = c.post(ticket_url(alice_ticket, "reopen/"), follow=True)
    assert "Only a resolved ticket can be reopened." in response.content.decode()


# --- Presence -------------------------------------------------------------------


def test_the_page_shows_who_else_has_it_open_and_who_is_typing(client_as, tina, nick, alice_ticket):
    t, n = client_as(tina), client_as(nick)
    t.get(ticket_url(alice_ticket))
    assert "Tina" in n.post(ticket_url(alice_ticket, "presence/")).content.decode()
    t.post(ticket_url(alice_ticket, "presence/"), {"typing": "1"})
    html = n.post(ticket_url(alice_ticket, "presence/")).content.decode()
    assert "is typing a reply" in html
    # and nobody is shown to themselves
    n.get(ticket_url(alice_ticket))
    own = t.post(ticket_url(alice_ticket, "presence/")).content.decode()
    assert "Nick" in own
    assert "Tina" not in own


def test_presence_expires(client_as, tina, nick, alice_ticket, settings):
    settings.HELPDESK_PRESENCE_TTL_SECONDS = 1
    client_as(tina).post(ticket_url(alice_ticket, "presence/"))
    time.sleep(1.2)
    assert "Tina" not in client_as(nick).post(ticket_url(alice_ticket, "presence/")).content.decode()


@pytest.mark.redis
def test_presence_works_on_redis(client_as, tina, nick, alice_ticket):
    from django.core.cache import cache

    cache.delete_many([f"presence:{alice_ticket.pk}:ids"])
    client_as(tina).post(ticket_url(alice_ticket, "presence/"), {"typing": "1"})
    assert "is typing a reply" in client_as(nick).post(ticket_url(alice_ticket, "presence/")).content.decode()


# --- Log a phone call ------------------------------------------------------------


def _call(**extra: object) -> dict[str, object]:
    return {
        "subject": "Cannot log in",
        "description": "Called at 9:00",
        "impact": "medium",
        "urgency": "high",
        "channel": "phone",
        "assign_to_me": "on",
        **extra,
    }


def test_log_a_call_for_an_existing_customer(client_as, tina, alice, service_desk):
    response = client_as(tina).post("/agent/tickets/new/", _call(customer="ALICE@example.com"))
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket_url(ticket)
    assert (ticket.requester, ticket.channel, ticket.assignee, ticket.priority) == (
        alice,
        "phone",
        tina,
        "P2",
    )
    assert ticket.events.first().actor == tina


def test_log_a_call_for_a_new_customer(client_as, tina, service_desk):
    client_as(tina).post(
        "/agent/tickets/new/", _call(new_customer_email="Carl@Example.com", new_customer_first_name="Carl")
    )
    carl = User.objects.get(email="carl@example.com")
    assert (carl.role, carl.first_name, carl.has_usable_password()) == ("customer", "Carl", False)
    assert Ticket.objects.get().requester == carl


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"customer": "nobody"}, "No customer with this username"),
        ({}, "Pick an existing customer or enter the email address of a new one."),
        ({"customer": "alice", "new_customer_email": "x@example.com"}, "not both"),
        ({"new_customer_email": "alice@example.com"}, "already exists"),
        ({"customer": "tina"}, "No customer with this username"),
    ],
)
def test_log_a_call_errors_keep_the_input(client_as, tina, alice, extra, error):
    response = client_as(tina).post("/agent/tickets/new/", _call(**extra))
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert "Called at 9:00" in html
    assert not Ticket.objects.exists()


def test_log_a_call_suggests_customers_while_typing(
    client_as, tina, alice, bob, django_assert_max_num_queries
):
    c = client_as(tina)
    with django_assert_max_num_queries(3):
        html = c.get("/agent/customers/?customer=ali").content.decode()
    assert 'value="alice"' in html
    assert "bob" not in html
    assert "tina" not in c.get("/agent/customers/?customer=tin").content.decode()  # agents are no customers


def test_log_a_call_lists_the_callers_open_tickets_and_warns(client_as, tina, alice, bob, service_desk):
    # given: alice has two open requests, a closed one, and bob one of his own
    vpn = services.ticket_create(requester=alice, by=alice, subject="VPN drops", description="x")
    mail = services.ticket_create(requester=alice, by=alice, subject="Mail full", description="x")
    old = TicketFactory(requester=alice, subject="Old printer", status="closed")
    TicketFactory(requester=bob, subject="Bob's laptop")
    # when the agent has chosen alice as the caller
    html = client_as(tina).get("/agent/customers/tickets/?customer=alice@example.com").content.decode()
    # then
    assert "This caller has 2 open requests:" in html
    assert f"{mail.reference} Mail full; {vpn.reference} VPN drops" in html
    assert f'value="{vpn.pk}"' in html
    assert f'value="{mail.pk}"' in html
    assert old.reference not in html
    assert "Bob" not in html
    assert client_as(tina).get("/agent/customers/tickets/?customer=ali").content.decode().strip() == ""


def test_log_a_call_does_not_open_a_duplicate_without_asking(client_as, tina, alice, service_desk):
    # given
    vpn = services.ticket_create(requester=alice, by=alice, subject="VPN drops", description="x")
    # when the agent submits a new call for alice without choosing
    response = client_as(tina).post("/agent/tickets/new/", _call(customer="alice"))
    # then nothing is created; the page names the open request and keeps the input
    assert response.status_code == 400
    html = response.content.decode()
    assert f"This caller has 1 open request: {vpn.reference} VPN drops." in html
    assert "Choose one of the caller&#x27;s open tickets or a new ticket." in html
    assert "Called at 9:00" in html
    assert Ticket.objects.count() == 1
    # when the agent chooses a new ticket on purpose
    response = client_as(tina).post("/agent/tickets/new/", _call(customer="alice", ticket="new"))
    assert response.status_code == 302
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize(("add_as", "internal"), [("note", True), ("reply", False)])
def test_log_a_call_onto_an_existing_ticket(client_as, tina, alice, service_desk, add_as, internal):
    # given
    vpn = services.ticket_create(requester=alice, by=alice, subject="VPN drops", description="x")
    c = client_as(tina)
    # when: no subject needed, the call becomes a message of the chosen ticket
    response = c.post(
        "/agent/tickets/new/",
        _call(customer="alice", ticket=str(vpn.pk), add_as=add_as, subject="", description="Still drops."),
    )
    # then
    assert response["Location"] == ticket_url(vpn)
    assert Ticket.objects.count() == 1
    message = vpn.messages.get()
    assert (message.body, message.internal, message.channel, message.author) == (
        "Still drops.",
        internal,
        "phone",
        tina,
    )
    assert vpn.events.filter(kind="note" if internal else "message", actor=tina).exists()
    page = c.get(ticket_url(vpn)).content.decode()
    assert f"The call was added to {vpn.reference}." in page


def test_log_a_call_only_onto_the_callers_own_open_tickets(client_as, tina, alice, bob, service_desk):
    bobs = services.ticket_create(requester=bob, by=bob, subject="Bob's laptop", description="x")
    response = client_as(tina).post("/agent/tickets/new/", _call(customer="alice", ticket=str(bobs.pk)))
    assert response.status_code == 400
    assert not bobs.messages.exists()
    assert Ticket.objects.count() == 1


def test_customers_cannot_search_customers(client_as, alice):
    assert client_as(alice).get("/agent/customers/?customer=bo").status_code == 403


def test_the_heartbeat_warns_when_the_page_is_behind_the_ticket(client_as, tina, nick, alice_ticket):
    seen = alice_ticket.version
    c = client_as(tina)
    assert (
        'data-testid="outdated"'
        not in c.post(ticket_url(alice_ticket, "presence/"), {"version": seen}).content.decode()
    )
    services.ticket_update(ticket=alice_ticket, by=nick, urgency="high")
    assert (
        'data-testid="outdated"'
        in c.post(ticket_url(alice_ticket, "presence/"), {"version": seen}).content.decode()
    )


def test_assign_to_me(client_as, tina, alice_ticket):
    response = client_as(tina).post(
        ticket_url(alice_ticket, "take/"), {"version": alice_ticket.version}, follow=True
    )
    alice_ticket.refresh_from_db()
    assert alice_ticket.assignee == tina
    assert "The ticket is yours now." in response.content.decode()


def test_assign_to_me_is_refused_when_someone_changed_the_ticket(client_as, tina, nick, alice_ticket):
    seen = alice_ticket.version
    services.ticket_update(ticket=alice_ticket, by=nick, assignee=nick)
    response = client_as(tina).post(ticket_url(alice_ticket, "take/"), {"version": seen}, follow=True)
    alice_ticket.refresh_from_db()
    assert alice_ticket.assignee == nick
    assert "Not assigned" in response.content.decode()
    assert "Assignee changed" in response.content.decode()


@pytest.mark.parametrize(
    "sort", ["newest", "oldest", "resolution_due", "first_response_due", "priority", "updated"]
)
def test_the_search_box_walked_in_the_queues_order_finds_what_the_plain_search_finds(
    client_as, tina, alice, settings, monkeypatch, sort
):
    # given: a walk of 3 tickets (issue #16: a common word is walked in the queue's order, a rare one
    # found through the index), due times with ties and gaps, priorities shared by many
    settings.HELPDESK_QUEUE_PAGE_SIZE = 2
    monkeypatch.setattr(selectors, "SEARCH_ORDER_WINDOW", 3)
    base = timezone.now()
    for i in range(14):
        TicketFactory(
            subject=f"t{i} " + ("printer" if i % 2 else "") + (" toner" if i in (4, 11) else ""),
            requester=alice,
            priority=["P1", "P2", "P3"][i % 3],
            resolution_due=None if i % 4 == 0 else base + timedelta(hours=i % 3),
            first_response_due=None if i % 5 == 0 else base + timedelta(minutes=i % 2),
        )
    c = client_as(tina)

    def pages(word: str) -> list[list[str]]:
        out, url = [], f"/agent/?tab=open&sort={sort}&q={word}"
        while url:
            response = c.get(url)
            out.append(_subjects(response))
            url = response.context["next_query"] and "/agent/?" + response.context["next_query"]
        return out

    for word in ("printer", "toner"):
        walked = pages(word)
        # then: the same pages as the search without the walk
        with monkeypatch.context() as plain:
            plain.setattr(workspace, "ticket_search_first_in_order", lambda **kwargs: None)
            assert walked == pages(word), word
        assert sum(len(p) for p in walked) == (7 if word == "printer" else 2)

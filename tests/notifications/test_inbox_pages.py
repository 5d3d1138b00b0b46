"""The agents' notification pages over HTTP: the list and its badge, marking read, the settings page, the
Follow button, the note box's suggestions and the mentions on the ticket page; and the mail's way out."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from notifications import inbox
from notifications.mentions import token
from notifications.models import (
    InAppNotification,
    Notification,
    NotificationPreference,
    TicketFollower,
    Topic,
)
from tests.factories import UserFactory
from tickets.models import Ticket
from tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_cache(settings, request):  # noqa: ANN001
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture
def nick(network_team):  # noqa: ANN001
    return UserFactory(
        username="nick", role="agent", first_name="Nick", last_name="Novak", teams=[network_team]
    )


@pytest.fixture
def ticket(alice, service_desk) -> Ticket:  # noqa: ANN001
    return ticket_create(requester=alice, subject="VPN drops", description="x", by=alice)


def client_as(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    return c


def test_the_note_shows_the_mention_as_the_current_name(ticket, tina, nick):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} please check", internal=True)
    nick.first_name, nick.last_name = "Nicholas", "Novak-Berg"
    nick.save()
    html = client_as(tina).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert f'<span class="mention" data-user="{nick.pk}">@Nicholas Novak-Berg</span> please check' in html
    assert f"|{nick.pk}]" not in html.split('id="timeline"')[1].split("</ol>")[0]


def test_a_hand_typed_token_is_escaped_text(ticket, tina, alice):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"@[<b>x</b>|{alice.pk}] <i>hi</i>", internal=True)
    html = client_as(tina).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "&lt;i&gt;hi&lt;/i&gt;" in html
    assert "<i>hi</i>" not in html


def test_the_badge_counts_unread_items_and_the_page_does_not_pay_for_it(
    ticket, tina, nick, django_assert_max_num_queries
):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} a", internal=True)
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} b", internal=True)
    c = client_as(nick)
    page = c.get("/agent/").content.decode()
    assert 'hx-get="/agent/notifications/badge/"' in page
    # session, user, the count
    with django_assert_max_num_queries(3):
        badge = c.get("/agent/notifications/badge/").content.decode()
    assert '<span class="nav-badge" data-testid="unread-count">2</span>' in badge
    assert "2 unread" in badge
    assert client_as(tina).get("/agent/notifications/badge/").content.decode().strip() == ""


def test_the_list_opens_an_item_marks_it_read_and_goes_to_the_ticket(ticket, tina, nick):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} have a look", internal=True)
    item = InAppNotification.objects.get(recipient=nick)
    c = client_as(nick)
    html = c.get("/agent/notifications/").content.decode()
    assert "Tina mentioned you in an internal note" in html
    assert "@Nick Novak have a look" in html
    assert ticket.reference in html
    # GET never marks read
    assert InAppNotification.objects.get(pk=item.pk).read_at is None
    response = c.post(f"/agent/notifications/{item.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/agent/tickets/{ticket.pk}/"
    assert InAppNotification.objects.get(pk=item.pk).read_at is not None
    assert "No unread notifications." in c.get("/agent/notifications/?unread=1").content.decode()


def test_someone_elses_item_is_404_and_customers_are_refused(ticket, tina, nick, alice):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} x", internal=True)
    item = InAppNotification.objects.get(recipient=nick)
    assert client_as(tina).post(f"/agent/notifications/{item.pk}/open/").status_code == 404
    assert client_as(alice).get("/agent/notifications/").status_code == 403
    assert client_as(alice).get(f"/agent/tickets/{ticket.pk}/").status_code == 403


def test_mark_all_read(ticket, tina, nick):  # noqa: ANN001
    for n in range(3):
        message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} {n}", internal=True)
    c = client_as(nick)
    response = c.post("/agent/notifications/read/", {"all": "1"})
    assert response.status_code == 302
    assert not InAppNotification.objects.filter(recipient=nick, read_at=None).exists()


def test_the_settings_page_saves_the_checkboxes(tina):  # noqa: ANN001
    c = client_as(tina)
    html = c.get("/agent/notifications/settings/").content.decode()
    assert "Someone mentions me in an internal note" in html
    data = {f"{t}-{ch}": "on" for t in inbox.PREFERENCE_TOPICS for ch in ("in_app", "mail")}
    del data["customer_reply-mail"]
    response = c.post("/agent/notifications/settings/", data)
    assert response.status_code == 302
    row = NotificationPreference.objects.get(user=tina, topic=Topic.CUSTOMER_REPLY)
    assert (row.in_app, row.mail) == (True, False)
    assert NotificationPreference.objects.get(user=tina, topic=Topic.CHANGE).mail is True


def test_follow_and_unfollow_from_the_ticket_page(ticket, tina):  # noqa: ANN001
    c = client_as(tina)
    html = c.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="follow"' in html
    c.post(f"/agent/tickets/{ticket.pk}/follow/", {"follow": "1"})
    html = c.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="unfollow"' in html
    assert 'data-testid="followers"' in html
    c.post(f"/agent/tickets/{ticket.pk}/follow/", {"follow": "0"})
    assert TicketFollower.objects.get(ticket=ticket, user=tina).following is False
    assert c.post("/agent/tickets/999999/follow/", {"follow": "1"}).status_code == 404
    assert c.get(f"/agent/tickets/{ticket.pk}/follow/").status_code == 405


def test_suggestions_for_the_note_box(ticket, tina, nick, django_assert_max_num_queries):  # noqa: ANN001
    c = client_as(tina)  # the browser's session, as the note box's script asks
    html = c.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert f'data-url="/api/v1/tickets/{ticket.pk}/mention-suggestions/"' in html
    # session, user, ticket, the people, whether each may see the ticket (at most 8)
    with django_assert_max_num_queries(5):
        data = c.get(f"/api/v1/tickets/{ticket.pk}/mention-suggestions/?q=Nic").json()
    assert data == [
        {
            "id": nick.pk,
            "name": "Nick Novak",
            "token": f"@[Nick Novak|{nick.pk}]",
            "can_see": True,
            "is_me": False,
        }
    ]
    assert c.get("/api/v1/tickets/999999/mention-suggestions/?q=Nic").status_code == 404


def test_the_ticket_page_costs_one_query_more_for_follow_and_mentions(
    ticket, tina, nick, django_assert_max_num_queries
):  # noqa: ANN001
    c = client_as(tina)
    c.get(f"/agent/tickets/{ticket.pk}/")
    for n in range(10):
        message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} {n}", internal=True)
    inbox.ticket_follow(ticket=ticket, user=tina)
    with django_assert_max_num_queries(45) as captured:  # 44 + the organisation panel (the requester's)
        c.get(f"/agent/tickets/{ticket.pk}/")
    ours = [q["sql"] for q in captured.captured_queries if "notifications_" in q["sql"]]
    # the delivery panel (older), the followers (both panels), the mentions of all ten notes
    assert len(ours) == 3, ours


def test_a_mention_mail_goes_out_through_the_outbox_in_the_recipients_language(
    ticket, tina, nick, smtp_sink, eager_tasks, django_capture_on_commit_callbacks
):  # noqa: ANN001
    nick.language = "de"
    nick.save()
    # when: the note is saved and the transaction commits (the delivery task runs in-process)
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} bitte prüfen", internal=True)
    # then: the real SMTP server received it, in German
    (msg,) = [m for m in smtp_sink.wait_for(1) if m["To"] == nick.email]
    assert msg["Subject"] == f"[{ticket.reference}] Sie wurden erwähnt: VPN drops"
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Tina hat Sie in einer internen Notiz zum Ticket" in body
    assert "@Nick Novak bitte prüfen" in body
    assert Notification.objects.get(recipient=nick).status == Notification.Status.SENT
    assert mail.outbox == []  # the SMTP backend, not the test outbox


def test_the_list_pages_by_time_and_ignores_a_bad_cursor(ticket, tina, nick, settings, monkeypatch):  # noqa: ANN001
    from notifications import selectors

    monkeypatch.setattr(selectors, "INBOX_PAGE", 2)
    for n in range(5):
        message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} n{n}", internal=True)
    c = client_as(nick)
    seen = []
    url = "/agent/notifications/"
    while url:
        response = c.get(url)
        seen += [i.excerpt for i in response.context["items"]]
        nxt = response.context["next_before"]
        url = f"/agent/notifications/?before={nxt}" if nxt else ""
    assert seen == [f"@Nick Novak n{n}" for n in (4, 3, 2, 1, 0)]
    assert c.get("/agent/notifications/?before=99999999999999999999999").status_code == 200


def test_opening_an_item_whose_ticket_is_out_of_sight_is_404_and_keeps_it_unread(
    ticket, tina, nick, monkeypatch
):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} x", internal=True)
    item = InAppNotification.objects.get(recipient=nick)
    monkeypatch.setattr(inbox, "ticket_get_for_user", _no_ticket)
    assert client_as(nick).post(f"/agent/notifications/{item.pk}/open/").status_code == 404
    assert InAppNotification.objects.get(pk=item.pk).read_at is None


def _no_ticket(**kwargs):  # noqa: ANN003, ANN202
    from django.http import Http404

    raise Http404

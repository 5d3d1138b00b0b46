"""The agents' notification API: the list and unread count, marking read, followers, preferences,
mention suggestions — and who may not."""

from __future__ import annotations

import pytest

from notifications import inbox
from notifications.mentions import token
from notifications.models import InAppNotification, NotificationPreference, TicketFollower
from tests.factories import UserFactory
from tickets.models import Ticket
from tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def nick(network_team):  # noqa: ANN001
    return UserFactory(
        username="nick", role="agent", first_name="Nick", last_name="Novak", teams=[network_team]
    )


@pytest.fixture
def ticket(alice, service_desk) -> Ticket:  # noqa: ANN001
    return ticket_create(requester=alice, subject="VPN drops", description="x", by=alice)


@pytest.fixture
def mentioned(ticket, tina, nick) -> Ticket:  # noqa: ANN001
    """Nick is mentioned three times."""
    for n in range(3):
        message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} look {n}", internal=True)
    return ticket


def test_the_list_is_newest_first_with_words_and_the_ticket(
    api_as, mentioned, nick, tina, django_assert_max_num_queries
):  # noqa: ANN001
    client = api_as(nick)
    # the page, its visible tickets, names of assignee events: none here
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/notifications/").json()
    first = body["results"][0]
    assert first["topic"] == "mentioned"
    assert first["text"] == "Tina mentioned you in an internal note"
    assert first["excerpt"] == "@Nick Novak look 2"
    assert first["ticket"] == {"id": mentioned.pk, "reference": mentioned.reference, "subject": "VPN drops"}
    assert first["actor"] == {"id": tina.pk, "name": "Tina"}
    assert first["read"] is False
    assert len(body["results"]) == 3
    assert client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="de").json()["results"][0]["text"] == (
        "Tina hat Sie in einer internen Notiz erwähnt"
    )


def test_unread_count_and_marking_read(api_as, mentioned, nick, tina, django_assert_max_num_queries):  # noqa: ANN001
    client = api_as(nick)
    with django_assert_max_num_queries(1):
        assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 3}
    first = InAppNotification.objects.filter(recipient=nick).order_by("pk").first()
    r = client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert r.status_code == 200
    assert r.json()["read"] is True
    assert client.get("/api/v1/notifications/?unread=true").json()["results"][-1]["id"] != first.pk
    assert client.post("/api/v1/notifications/read/", {"all": True}, format="json").json() == {
        "marked": 2,
        "unread": 0,
    }
    # someone else's item: 404, and nothing changes
    other = api_as(tina)
    assert other.post(f"/api/v1/notifications/{first.pk}/read/").status_code == 404
    assert other.post("/api/v1/notifications/read/", {"ids": [first.pk]}, format="json").json()["marked"] == 0


def test_marking_read_needs_ids_or_all(api_as, nick):  # noqa: ANN001
    r = api_as(nick).post("/api/v1/notifications/read/", {}, format="json")
    assert r.status_code == 400
    assert "ids" in r.json()
    r = api_as(nick).post("/api/v1/notifications/read/", {"ids": ["x"]}, format="json")
    assert r.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/notifications/",
        "/api/v1/notifications/unread-count/",
        "/api/v1/me/notification-preferences/",
    ],
)
def test_customers_are_refused_and_anonymous_must_sign_in(api_as, alice, path):  # noqa: ANN001
    assert api_as(alice).get(path).status_code == 403
    assert api_as(None).get(path).status_code == 401


def test_follow_and_unfollow(api_as, ticket, tina, alice):  # noqa: ANN001
    client = api_as(tina)
    r = client.post(f"/api/v1/tickets/{ticket.pk}/followers/")
    assert r.status_code == 201
    assert r.json()["user"] == tina.pk
    assert r.json()["reason"] == "manual"
    assert client.get(f"/api/v1/tickets/{ticket.pk}/followers/").json() == [
        {"user": tina.pk, "name": "Tina", "reason": "manual", "created_at": r.json()["created_at"]}
    ]
    assert client.delete(f"/api/v1/tickets/{ticket.pk}/followers/").status_code == 204
    assert client.get(f"/api/v1/tickets/{ticket.pk}/followers/").json() == []
    assert TicketFollower.objects.get(user=tina).following is False
    assert client.post("/api/v1/tickets/999999/followers/").status_code == 404
    # the customer may not follow (not even their own ticket): notifications are for agents
    assert api_as(alice).post(f"/api/v1/tickets/{ticket.pk}/followers/").status_code == 403


def test_preferences_read_and_patch(api_as, tina):  # noqa: ANN001
    client = api_as(tina)
    prefs = client.get("/api/v1/me/notification-preferences/").json()["preferences"]
    assert prefs[0] == {
        "topic": "mentioned",
        "label": "Someone mentions me in an internal note",
        "in_app": True,
        "mail": True,
    }
    r = client.patch(
        "/api/v1/me/notification-preferences/",
        {"preferences": [{"topic": "note", "mail": True}, {"topic": "mentioned", "in_app": False}]},
        format="json",
    )
    assert r.status_code == 200
    by_topic = {p["topic"]: p for p in r.json()["preferences"]}
    assert (by_topic["note"]["in_app"], by_topic["note"]["mail"]) == (True, True)
    assert (by_topic["mentioned"]["in_app"], by_topic["mentioned"]["mail"]) == (False, True)


def test_bad_preferences_are_400_and_nothing_is_saved(api_as, tina):  # noqa: ANN001
    client = api_as(tina)
    r = client.patch(
        "/api/v1/me/notification-preferences/",
        {"preferences": [{"topic": "note", "mail": True}, {"topic": "bogus", "mail": True}]},
        format="json",
    )
    assert r.status_code == 400
    assert "preferences" in r.json()
    r = client.patch(
        "/api/v1/me/notification-preferences/",
        {"preferences": [{"topic": "note", "mail": True}, {"topic": "note", "mail": False}]},
        format="json",
    )
    assert r.status_code == 400
    assert client.patch("/api/v1/me/notification-preferences/", {}, format="json").status_code == 400
    assert not NotificationPreference.objects.exists()


def test_mention_suggestions(api_as, ticket, tina, nick, alice):  # noqa: ANN001
    r = api_as(tina).get(f"/api/v1/tickets/{ticket.pk}/mention-suggestions/?q=nov")
    assert r.json() == [
        {
            "id": nick.pk,
            "name": "Nick Novak",
            "token": f"@[Nick Novak|{nick.pk}]",
            "can_see": True,
            "is_me": False,
        }
    ]
    assert api_as(alice).get(f"/api/v1/tickets/{ticket.pk}/mention-suggestions/?q=n").status_code == 403


def test_a_mention_through_the_messages_api_notifies(api_as, ticket, tina, nick):  # noqa: ANN001
    r = api_as(tina).post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"body": f"{token(user=nick)} see logs", "internal": True},
        format="json",
    )
    assert r.status_code == 201
    assert InAppNotification.objects.get(recipient=nick).topic == "mentioned"
    assert inbox.can_see(user=nick, ticket=ticket)

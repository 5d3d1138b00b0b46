"""Mentions, followers and agents' preferences: who is told what, in-app and by mail (services)."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications import inbox
from notifications.mentions import mention_flatten, mention_ids, token
from notifications.models import InAppNotification, Mention, Notification, TicketFollower, Topic
from notifications.selectors import inapp_list, inapp_unread_count, mention_suggestions
from tests.factories import UserFactory
from tickets.models import Message, Ticket
from tickets.services import message_add, ticket_create, ticket_update

from .conftest import expand_fanouts

pytestmark = pytest.mark.django_db
K = Notification.Kind


@pytest.fixture
def ticket(alice, tina, network_category) -> Ticket:  # noqa: ANN001
    t = ticket_create(
        requester=alice, subject="VPN drops", description="x", by=alice, category=network_category
    )
    expand_fanouts()
    return t


@pytest.fixture
def nick(network_team):  # noqa: ANN001
    return UserFactory(
        username="nick", role="agent", first_name="Nick", last_name="Novak", teams=[network_team]
    )


def items(user) -> list[InAppNotification]:  # noqa: ANN001
    return list(InAppNotification.objects.filter(recipient=user).order_by("pk"))


def mails(user, kind: str) -> list[Notification]:  # noqa: ANN001
    return list(Notification.objects.filter(recipient=user, kind=kind))


# --- the token ------------------------------------------------------------------------------------------


def test_tokens_keep_the_id_and_flatten_to_the_name(nick):  # noqa: ANN001
    text = f"Hi {token(user=nick)} and @[Old Name|{nick.pk}] again, mail me@example.com"
    assert token(user=nick) == f"@[Nick Novak|{nick.pk}]"
    assert mention_ids(text) == [nick.pk]
    assert mention_flatten(text) == "Hi @Nick Novak and @Old Name again, mail me@example.com"
    assert mention_flatten(text, {nick.pk: "Nicholas Novak"}).count("@Nicholas Novak") == 2


# --- mentions -------------------------------------------------------------------------------------------


def test_a_mention_in_a_note_tells_the_agent_in_app_and_by_mail_and_makes_them_follow(ticket, tina, nick):  # noqa: ANN001
    # when
    message_add(
        ticket=ticket, author=tina, body=f"{token(user=nick)} can you check the VPN logs?", internal=True
    )
    # then
    (item,) = items(nick)
    assert item.topic == Topic.MENTIONED
    assert item.actor == tina
    assert item.excerpt == "@Nick Novak can you check the VPN logs?"
    (row,) = mails(nick, K.MENTIONED)
    assert row.subject == f"[{ticket.reference}] You were mentioned: VPN drops"
    assert "Tina" in row.body_text
    assert "@Nick Novak can you check the VPN logs?" in row.body_text
    assert f"|{nick.pk}]" not in row.body_text + row.body_html
    assert Mention.objects.get(user=nick).notified is True
    assert TicketFollower.objects.get(ticket=ticket, user=nick).reason == "mentioned"
    assert items(tina) == []  # nobody is told about their own note


def test_mentioning_oneself_or_a_customer_tells_nobody(ticket, tina, alice):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"{token(user=tina)} and @[Alice|{alice.pk}]", internal=True)
    assert not InAppNotification.objects.exists()
    assert not Notification.objects.filter(kind=K.MENTIONED).exists()
    assert list(Mention.objects.values_list("user", flat=True)) == [tina.pk]  # customers are never mentioned


def test_a_mentioned_agent_who_cannot_see_the_ticket_is_not_told_but_the_author_is(
    ticket, tina, nick, monkeypatch
):  # noqa: ANN001
    # given: visibility narrowed so that nick may not see this ticket (today agents see all)
    real = inbox.ticket_visible_qs

    def narrowed(*, user):  # noqa: ANN001, ANN202
        qs = real(user=user)
        return qs.none() if user.pk == nick.pk else qs

    monkeypatch.setattr(inbox, "ticket_visible_qs", narrowed)
    # when
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} please look", internal=True)
    # then
    assert items(nick) == []
    assert mails(nick, K.MENTIONED) == []
    assert Mention.objects.get(user=nick).notified is False
    (told,) = items(tina)
    assert told.topic == Topic.MENTION_UNDELIVERED
    assert told.excerpt == "Nick Novak"
    assert not TicketFollower.objects.filter(user=nick).exists()


def test_a_mention_in_a_public_reply_notifies_nobody_and_the_customer_reads_the_name(ticket, tina, nick):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"My colleague {token(user=nick)} will call you.")
    assert (
        Message.objects.get(internal=False, by_agent=True).body == "My colleague @Nick Novak will call you."
    )
    (reply,) = Notification.objects.filter(kind=K.REPLY)
    assert "My colleague @Nick Novak will call you." in reply.body_text
    assert "|" not in reply.body_text
    assert items(nick) == []
    assert not Mention.objects.exists()


# --- followers ------------------------------------------------------------------------------------------


def test_followers_hear_about_the_tickets_events_but_not_their_own(ticket, tina, nick, alice):  # noqa: ANN001
    inbox.ticket_follow(ticket=ticket, user=tina)
    # when: the customer replies, tina writes a note, nick changes the priority
    message_add(ticket=ticket, author=alice, body="Still broken.")
    message_add(ticket=ticket, author=tina, body="Asked the network team.", internal=True)
    ticket_update(ticket=ticket, by=nick, priority="P2")
    # then: the reply in-app and by mail (the default), the priority not at all (off by default)
    assert [i.topic for i in items(tina)] == [Topic.CUSTOMER_REPLY]
    (row,) = mails(tina, K.FOLLOWED)
    assert row.subject == f"[{ticket.reference}] Update on a ticket you follow: VPN drops"
    assert "Still broken." in row.body_text
    assert "Alice" in row.body_text
    assert items(nick) == []


def test_an_assignee_follows_and_gets_the_assignment_once(ticket, tina, nick):  # noqa: ANN001
    inbox.ticket_follow(ticket=ticket, user=nick)
    # when: tina assigns the ticket to nick, who already follows it
    ticket_update(ticket=ticket, by=tina, assignee=nick)
    # then: "assigned to you" (in-app and mail), not a second "assignee changed" for the follower
    # (taking a new ticket opens it: that status change is news for a follower)
    assert [i.topic for i in items(nick)] == [Topic.ASSIGNED, Topic.STATUS]
    assert len(mails(nick, K.ASSIGNED)) == 1
    assert mails(nick, K.FOLLOWED) == []
    ticket_update(ticket=ticket, by=nick, assignee=tina)
    assert TicketFollower.objects.get(ticket=ticket, user=tina).reason == "assigned"


def test_an_unfollow_is_remembered_when_mentioned_later(ticket, tina, nick, alice):  # noqa: ANN001
    inbox.ticket_follow(ticket=ticket, user=nick)
    inbox.ticket_unfollow(ticket=ticket, user=nick)
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} fyi", internal=True)
    assert [i.topic for i in items(nick)] == [Topic.MENTIONED]  # the mention itself still reaches them
    message_add(ticket=ticket, author=alice, body="Hello?")
    assert [i.topic for i in items(nick)] == [Topic.MENTIONED]
    assert TicketFollower.objects.get(user=nick).following is False


# --- preferences ----------------------------------------------------------------------------------------


def test_preferences_choose_in_app_mail_both_or_nothing(ticket, tina, alice):  # noqa: ANN001
    inbox.ticket_follow(ticket=ticket, user=tina)
    inbox.notification_preferences_set(user=tina, changes={Topic.CUSTOMER_REPLY: {"mail": False}})
    message_add(ticket=ticket, author=alice, body="One")
    assert len(items(tina)) == 1
    assert mails(tina, K.FOLLOWED) == []
    inbox.notification_preferences_set(user=tina, changes={Topic.CUSTOMER_REPLY: {"in_app": False}})
    message_add(ticket=ticket, author=alice, body="Two")
    assert len(items(tina)) == 1
    assert mails(tina, K.FOLLOWED) == []
    prefs = {p["topic"]: p for p in inbox.notification_preferences_get(user=tina)}
    assert prefs["customer_reply"]["in_app"] is False
    assert prefs["customer_reply"]["mail"] is False
    assert prefs["mentioned"] == {**prefs["mentioned"], "in_app": True, "mail": True}  # the default


def test_an_unknown_topic_is_refused_and_nothing_is_saved(tina):  # noqa: ANN001
    from helpdesk.errors import ApplicationError

    with pytest.raises(ApplicationError):
        inbox.notification_preferences_set(
            user=tina, changes={"note": {"mail": True}, "bogus": {"mail": True}}
        )
    assert inbox.notification_preferences_get(user=tina)[8]["mail"] is False  # "note" unchanged


def test_the_older_agent_mails_honour_the_preferences(
    ticket, tina, nick, alice, network_category, service_desk
):  # noqa: ANN001
    # given: nick wants no assignment mail, and new tickets of his team in-app as well
    inbox.notification_preferences_set(
        user=nick, changes={Topic.ASSIGNED: {"mail": False}, Topic.NEW_IN_QUEUE: {"in_app": True}}
    )
    # when
    ticket_update(ticket=ticket, by=tina, assignee=nick)
    nick.teams.add(service_desk)
    ticket_create(requester=alice, subject="WLAN", description="y", by=alice, category=network_category)
    expand_fanouts()
    # then
    assert mails(nick, K.ASSIGNED) == []
    assert [i.topic for i in items(nick)] == [Topic.ASSIGNED, Topic.STATUS, Topic.NEW_IN_QUEUE]
    # tina (Service Desk) gets the queue mail for the new ticket, by default without an in-app item
    assert len(mails(tina, K.NEW_IN_QUEUE)) == 2
    assert items(tina) == []


# --- the list -------------------------------------------------------------------------------------------


def test_the_unread_count_is_one_query_and_marking_read_is_per_user(
    ticket, tina, nick, sam, django_assert_num_queries
):  # noqa: ANN001
    message_add(ticket=ticket, author=tina, body=f"{token(user=nick)} {token(user=sam)}", internal=True)
    with django_assert_num_queries(1):
        assert inapp_unread_count(user=nick) == 1
    # someone else's id changes nothing
    assert inbox.inapp_mark_read(user=sam, ids=[items(nick)[0].pk]) == 0
    assert inbox.inapp_mark_read(user=nick) == 1
    assert inapp_unread_count(user=nick) == 0
    assert inapp_unread_count(user=sam) == 1


def test_the_list_reads_in_words_in_few_queries(ticket, tina, nick, alice, django_assert_max_num_queries):  # noqa: ANN001
    inbox.ticket_follow(ticket=ticket, user=nick)
    for n in range(30):
        message_add(ticket=ticket, author=alice if n % 2 else tina, body=f"m{n}", internal=not n % 2)
    ticket_update(ticket=ticket, by=tina, assignee=tina)
    # list, visible tickets, names of assignee events
    with django_assert_max_num_queries(3):
        listed = inapp_list(user=nick)
    assert len(listed) == 32  # 30 messages, the assignee, the status it opened
    assert listed[1].text == "Tina: Assignee changed: Tina"
    assert listed[2].text == "Alice: Public reply"


def test_suggestions_offer_active_agents_by_name(ticket, tina, nick, sam, alice):  # noqa: ANN001
    UserFactory(username="nora", role="agent", first_name="Nora", is_active=False)
    assert [s["name"] for s in mention_suggestions(user=tina, ticket=ticket, q="n")] == ["Nick Novak"]
    assert [s["name"] for s in mention_suggestions(user=tina, ticket=ticket, q="nick nov")] == ["Nick Novak"]
    assert mention_suggestions(user=tina, ticket=ticket, q="ali") == []
    (me,) = mention_suggestions(user=tina, ticket=ticket, q="tin")
    assert me["is_me"]
    assert me["can_see"]
    assert me["token"] == f"@[Tina|{tina.pk}]"
    assert len(mail.outbox) == 0

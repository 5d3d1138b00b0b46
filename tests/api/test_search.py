"""The ticket search (``q``, issue #16): message text, internal notes, references, email, ranking."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.conftest import make_ticket
from tests.factories import UserFactory
from tickets import selectors, services
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def _ids(response) -> list[int]:  # noqa: ANN001
    assert response.status_code == 200, response.content
    return [t["id"] for t in response.json()["results"]]


def test_a_word_of_a_reply_written_later_finds_the_ticket(api_as, alice, tina, alice_ticket, bob_ticket):
    services.message_add(ticket=alice_ticket, author=tina, body="Die Dockingstation wurde getauscht.")
    assert _ids(api_as(tina).get(URL, {"q": "dockingstation"})) == [alice_ticket.pk]
    assert _ids(api_as(alice).get(URL, {"q": "Dockingstation"})) == [alice_ticket.pk]


def test_a_customer_never_matches_a_word_only_in_an_internal_note_of_their_own_ticket(
    api_as, alice, tina, alice_ticket
):
    # given: one word only in a note, one in a note and in a public reply
    services.message_add(
        ticket=alice_ticket, author=tina, body="Firmware of gateway is outdated", internal=True
    )
    services.message_add(ticket=alice_ticket, author=tina, body="We will update the gateway tonight.")
    # then
    assert _ids(api_as(alice).get(URL, {"q": "firmware"})) == []
    assert _ids(api_as(alice).get(URL, {"q": "gateway", "ordering": "-id"})) == [alice_ticket.pk]
    assert _ids(api_as(alice).get(URL, {"q": "gateway"})) == [alice_ticket.pk]
    assert _ids(api_as(tina).get(URL, {"q": "firmware"})) == [alice_ticket.pk]
    if connection.vendor == "postgresql":  # words anywhere in the ticket (SQLite: one substring)
        assert _ids(api_as(alice).get(URL, {"q": "firmware gateway"})) == []
        assert _ids(api_as(alice).get(URL, {"q": '"gateway is outdated"'})) == []
        assert _ids(api_as(tina).get(URL, {"q": "firmware gateway"})) == [alice_ticket.pk]


def test_a_public_reply_turned_into_a_note_is_no_longer_found_by_the_customer(
    api_as, alice, tina, alice_ticket
):
    message = services.message_add(ticket=alice_ticket, author=tina, body="Token reset done")
    assert _ids(api_as(alice).get(URL, {"q": "token"})) == [alice_ticket.pk]
    Message.objects.filter(pk=message.pk).update(internal=True)
    assert _ids(api_as(alice).get(URL, {"q": "token"})) == []
    Message.objects.filter(pk=message.pk).delete()
    assert _ids(api_as(tina).get(URL, {"q": "token"})) == []


def test_an_edited_subject_is_searched_by_its_new_words(api_as, tina, alice_ticket):
    Ticket.objects.filter(pk=alice_ticket.pk).update(subject="Monitor flickers")
    assert _ids(api_as(tina).get(URL, {"q": "flickers"})) == [alice_ticket.pk]
    assert _ids(api_as(tina).get(URL, {"q": "VPN"})) == []


def test_a_reference_finds_its_ticket_and_the_tickets_that_mention_it(api_as, alice, bob, tina, alice_ticket):
    follow_up = make_ticket(
        bob, subject="Follow-up", description=f"Same as {alice_ticket.reference} last week"
    )
    make_ticket(bob, subject="Unrelated")
    assert _ids(api_as(tina).get(URL, {"q": alice_ticket.reference, "ordering": "-id"})) == [
        follow_up.pk,
        alice_ticket.pk,
    ]
    assert _ids(api_as(tina).get(URL, {"q": alice_ticket.reference.lower(), "ordering": "id"})) == [
        alice_ticket.pk,
        follow_up.pk,
    ]
    # a customer: only their own tickets, whatever the reference
    assert _ids(api_as(bob).get(URL, {"q": alice_ticket.reference, "ordering": "-id"})) == [follow_up.pk]
    assert _ids(api_as(alice).get(URL, {"q": alice_ticket.reference})) == [alice_ticket.pk]


def test_an_email_address_finds_the_tickets_its_user_requested(
    api_as, alice, bob, tina, alice_ticket, bob_ticket
):
    mention = make_ticket(bob, subject="Printer", description=f"Please copy {alice.email} on this.")
    assert _ids(api_as(tina).get(URL, {"q": alice.email.upper(), "ordering": "-id"})) == [
        mention.pk,
        alice_ticket.pk,
    ]
    assert _ids(api_as(bob).get(URL, {"q": alice.email})) == [mention.pk]
    assert _ids(api_as(tina).get(URL, {"q": "nobody@example.com"})) == []


@pytest.mark.postgres
def test_the_ticket_a_reference_or_an_email_names_ranks_above_mentions(
    api_as, alice, bob, tina, alice_ticket
):
    make_ticket(bob, subject="Older ticket", description="no match here")
    mention = make_ticket(bob, subject=f"{alice_ticket.reference} again", description=f"Ask {alice.email}")
    assert _ids(api_as(tina).get(URL, {"q": alice_ticket.reference})) == [alice_ticket.pk, mention.pk]
    assert _ids(api_as(tina).get(URL, {"q": alice.email})) == [alice_ticket.pk, mention.pk]


@pytest.mark.postgres
def test_without_an_ordering_the_best_match_comes_first(api_as, alice, tina, service_desk):
    # given: the word in a subject (oldest), in a description, in a reply only (newest)
    in_subject = make_ticket(alice, subject="Scanner offline", description="Since today.")
    in_description = make_ticket(alice, subject="Floor 3", description="The scanner shows an error.")
    in_reply = make_ticket(alice, subject="Question", description="Please help.")
    services.message_add(ticket=in_reply, author=tina, body="Is the scanner plugged in?")
    # when / then: by relevance, or in the chosen order
    expected = [in_subject.pk, in_description.pk, in_reply.pk]
    assert _ids(api_as(tina).get(URL, {"q": "scanner"})) == expected
    assert _ids(api_as(alice).get(URL, {"q": "scanner"})) == expected
    assert _ids(api_as(tina).get(URL, {"q": "scanner", "ordering": "-id"})) == expected[::-1]
    assert _ids(api_as(tina).get(URL, {"q": "scanner", "ordering": "id"})) == expected


@pytest.mark.postgres
def test_internal_notes_do_not_lift_a_ticket_in_a_customers_ranking(api_as, alice, tina, service_desk):
    older = make_ticket(alice, subject="Laptop", description="The docking station is dead.")
    newer = make_ticket(alice, subject="Laptop", description="The docking station is dead.")
    services.message_add(ticket=older, author=tina, body="docking docking docking", internal=True)
    assert _ids(api_as(tina).get(URL, {"q": "docking"})) == [older.pk, newer.pk]
    assert _ids(api_as(alice).get(URL, {"q": "docking"})) == [newer.pk, older.pk]


@pytest.mark.parametrize("ordering", [None, "-resolution_due"])
def test_search_results_page_with_the_cursor_without_gaps_or_repeats(
    api_as, alice, tina, service_desk, ordering
):
    tickets = [
        make_ticket(alice, subject=f"Headset {i}", description="headset " * (i % 3)) for i in range(12)
    ]
    params = {"q": "headset", "page_size": 5} | ({"ordering": ordering} if ordering else {})
    seen: list[int] = []
    response = api_as(tina).get(URL, params)
    while True:
        seen += _ids(response)
        if not response.json()["next"]:
            break
        response = api_as(tina).get(response.json()["next"])
    assert sorted(seen) == sorted(t.pk for t in tickets)


@pytest.mark.parametrize("who", ["tina", "alice"])
@pytest.mark.parametrize(
    "params", [{"q": "T1"}, {"q": "T1", "ordering": "-resolution_due"}, {"q": "HD-000001"}]
)
def test_the_list_with_q_takes_a_fixed_number_of_queries(
    api_as, request, django_assert_max_num_queries, alice, tina, service_desk, who, params
):
    for i in range(20):
        ticket = make_ticket(alice, subject=f"T{i % 3}", tags=["a"])
        services.message_add(ticket=ticket, author=tina, body=f"note T{i % 3}", internal=True)
    with django_assert_max_num_queries(2):  # the page and its tags
        response = api_as(request.getfixturevalue(who)).get(URL, params)
    assert response.status_code == 200


@pytest.mark.postgres
def test_the_triggers_keep_the_documents_the_backfill_would_write(alice, tina, alice_ticket, bob_ticket):
    # given: documents kept by the triggers through inserts, an edit and a delete
    services.message_add(ticket=alice_ticket, author=tina, body="First reply")
    note = services.message_add(ticket=alice_ticket, author=tina, body="A note", internal=True)
    services.message_add(ticket=alice_ticket, author=alice, body="Thanks!")
    Message.objects.filter(pk=note.pk).update(body="The note, edited")
    with connection.cursor() as cursor:
        cursor.execute("SELECT ticket_id, document::text FROM tickets_ticketsearch ORDER BY ticket_id")
        kept = cursor.fetchall()
        # when: the migration's backfill writes them afresh
        cursor.execute("DELETE FROM tickets_ticketsearch")
        cursor.execute("SELECT tickets_search_fill(0)")
        cursor.execute("SELECT ticket_id, document::text FROM tickets_ticketsearch ORDER BY ticket_id")
        # then
        assert cursor.fetchall() == kept
    assert len(kept) == 2
    assert "'edited':" in kept[0][1]


@pytest.mark.postgres
def test_a_ticket_with_more_text_than_a_document_holds_still_takes_messages(
    api_as, alice, tina, alice_ticket
):
    # given: more than 1 MB of distinct words in its messages (beyond what a tsvector may hold)
    for m in range(24):
        body = " ".join(f"w{m}x{i:05d}" for i in range(5000))
        services.message_add(ticket=alice_ticket, author=tina, body=body)
    # when
    services.message_add(ticket=alice_ticket, author=tina, body="Zebra")
    # then: the ticket's first words stay searchable
    assert _ids(api_as(tina).get(URL, {"q": "w0x00001"})) == [alice_ticket.pk]
    assert _ids(api_as(tina).get(URL, {"q": "VPN"})) == [alice_ticket.pk]


def test_a_customer_searching_another_customers_email_finds_only_their_own_tickets(
    api_as, alice, bob, alice_ticket
):
    carol = UserFactory(username="carol")
    make_ticket(carol, subject="Carol's")
    assert _ids(api_as(alice).get(URL, {"q": carol.email})) == []


def _sort_value(ticket: Ticket, key: str):  # noqa: ANN202
    far = datetime(9999, 12, 31, tzinfo=UTC)
    return {
        "resolution_due": ticket.resolution_due or far,
        "first_response_due": ticket.first_response_due or far,
    }.get(key, getattr(ticket, key))


def _walk_pages(client, params: dict) -> tuple[list[list[int]], list[list[int]]]:  # noqa: ANN001
    """The pages forwards to the end, then backwards from there by the ``previous`` links."""
    forward, response = [], client.get(URL, params)
    while True:
        forward.append(_ids(response))
        if not response.json()["next"]:
            break
        response = client.get(response.json()["next"])
    backward = [forward[-1]]
    while response.json()["previous"]:
        response = client.get(response.json()["previous"])
        backward.append(_ids(response))
    return forward, backward


@pytest.mark.parametrize(
    "ordering",
    [
        "resolution_due",
        "-resolution_due",
        "first_response_due",
        "priority",
        "-priority",
        "created_at",
        "-id",
        "updated_at",
    ],
)
def test_a_search_in_an_explicit_order_pages_through_all_matches_in_that_order(
    api_as, alice, tina, service_desk, monkeypatch, ordering
):
    # given: a walk of 6 tickets (so that the pages take both ways: walked in order for a word in every
    # second ticket, from the index for a word in three), due times with gaps, ties and none, and a
    # priority that many tickets share
    monkeypatch.setattr(selectors, "SEARCH_ORDER_WINDOW", 6)
    start = timezone.now()
    for i in range(30):
        words = ("dense " if i % 2 else "") + ("sparse" if i in (3, 17, 28) else "")
        ticket = make_ticket(alice, subject=f"Ticket {i}", description=words or "nothing")
        Ticket.objects.filter(pk=ticket.pk).update(
            resolution_due=None if i % 7 == 0 else start + timedelta(hours=(i * 11) % 13),
            first_response_due=None if i % 5 == 0 else start + timedelta(minutes=(i * 7) % 9),
            priority=f"P{1 + i % 4}",
        )
    key = ordering.lstrip("-")
    descending = ordering.startswith("-")
    predicates = {"dense": lambda d: "dense" in d, "sparse": lambda d: "sparse" in d}
    if connection.vendor == "postgresql":  # the search's own syntax (SQLite: one substring)
        predicates["dense -sparse"] = lambda d: "dense" in d and "sparse" not in d
    for (word, matches), only in itertools.product(predicates.items(), [{}, {"priority": "P2"}]):
        expected = [
            t.pk
            for t in sorted(
                (
                    t
                    for t in Ticket.objects.all()
                    if matches(t.description) and t.priority == only.get("priority", t.priority)
                ),
                key=lambda t: (_sort_value(t, key), t.pk),
                reverse=descending,
            )
        ]
        # when
        forward, backward = _walk_pages(
            api_as(tina), {"q": word, "ordering": ordering, "page_size": 4} | only
        )
        # then: every match once, in order, and the same pages backwards (a quarter of the tickets
        # share each priority, more than a page); with a filter, only the matches it leaves
        assert [pk for page in forward for pk in page] == expected, (word, only)
        assert backward == forward[::-1], (word, only)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("who", "params", "walked"),
    [
        ("tina", {"q": "headset", "ordering": "resolution_due"}, True),
        ("tina", {"q": "headset", "ordering": "-priority"}, True),
        ("tina", {"q": "headset", "ordering": "-updated_at"}, True),
        ("tina", {"q": "headset"}, False),  # by relevance: its own bounded walk
        ("tina", {"q": "HD-000001", "ordering": "resolution_due"}, False),  # a reference: its ticket
        ("alice", {"q": "headset", "ordering": "resolution_due"}, False),  # her own tickets only
    ],
)
def test_only_an_agents_text_search_in_an_indexed_order_is_walked(
    api_as, request, alice, tina, service_desk, who, params, walked
):
    make_ticket(alice, subject="Headset")
    with CaptureQueriesContext(connection) as queries:
        response = api_as(request.getfixturevalue(who)).get(URL, params)
    assert response.status_code == 200
    assert any("WITH walked AS MATERIALIZED" in q["sql"] for q in queries) is walked

from __future__ import annotations

import pytest

from tickets import services
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def url(ticket: Ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/messages/"


def test_a_customer_replies_on_her_ticket(api_as, alice, alice_ticket):
    response = api_as(alice).post(url(alice_ticket), {"body": "Still broken"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["body"], body["internal"], body["by_agent"], body["author"]) == (
        "Still broken",
        False,
        False,
        alice.pk,
    )
    assert Message.objects.get().author == alice


def test_a_customer_asking_for_an_internal_note_gets_400_and_nothing_is_saved(api_as, alice, alice_ticket):
    response = api_as(alice).post(url(alice_ticket), {"body": "psst", "internal": True}, format="json")
    assert response.status_code == 400
    assert "internal" in response.json()
    assert not Message.objects.exists()


def test_an_agent_writes_a_note_and_a_reply_and_the_customer_sees_only_the_reply(
    api_as, alice, tina, alice_ticket
):
    # given
    api_as(tina).post(url(alice_ticket), {"body": "Looks like the gateway", "internal": True}, format="json")
    api_as(tina).post(url(alice_ticket), {"body": "We are on it"}, format="json")
    # when
    as_customer = api_as(alice).get(url(alice_ticket)).json()["results"]
    as_agent = api_as(tina).get(url(alice_ticket)).json()["results"]
    # then
    assert [m["body"] for m in as_customer] == ["We are on it"]
    assert [(m["body"], m["internal"]) for m in as_agent] == [
        ("Looks like the gateway", True),
        ("We are on it", False),
    ]
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == "open"
    assert alice_ticket.first_response_at is not None


def test_a_customer_never_reads_internal_notes_even_by_paging(api_as, alice, tina, alice_ticket):
    for n in range(5):
        services.message_add(ticket=alice_ticket, author=tina, body=f"note {n}", internal=True)
    services.message_add(ticket=alice_ticket, author=tina, body="reply", internal=False)
    response = api_as(alice).get(url(alice_ticket), {"page_size": 1})
    seen = []
    while True:
        seen += [m["body"] for m in response.json()["results"]]
        if not response.json()["next"]:
            break
        response = api_as(alice).get(response.json()["next"])
    assert seen == ["reply"]


def test_someone_elses_ticket_is_404_for_reading_and_writing(api_as, bob, alice_ticket):
    assert api_as(bob).get(url(alice_ticket)).status_code == 404
    assert api_as(bob).post(url(alice_ticket), {"body": "hi"}, format="json").status_code == 404
    # even with bad input, the ticket's existence is not revealed
    assert api_as(bob).post(url(alice_ticket), {}, format="json").status_code == 404
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 50_001}, "body"),
        ({"body": "ok", "internal": "maybe"}, "internal"),
        ({"body": ["x"]}, "body"),
    ],
)
def test_bad_message_input_is_400(api_as, tina, alice_ticket, body, field):
    response = api_as(tina).post(url(alice_ticket), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Message.objects.exists()


def test_a_public_reply_to_a_closed_ticket_is_409(api_as, alice, tina, alice_ticket):
    services.ticket_close(ticket=alice_ticket, by=tina)
    response = api_as(alice).post(url(alice_ticket), {"body": "again"}, format="json")
    assert response.status_code == 409
    assert not Message.objects.exists()


def test_a_customer_reply_within_the_window_reopens_a_resolved_ticket(api_as, alice, resolved_alice_ticket):
    response = api_as(alice).post(url(resolved_alice_ticket), {"body": "It is back"}, format="json")
    assert response.status_code == 201
    resolved_alice_ticket.refresh_from_db()
    assert (resolved_alice_ticket.status, resolved_alice_ticket.reopen_count) == ("open", 1)


def test_a_reply_written_against_an_old_version_is_held_back(api_as, tina, nick, alice_ticket):
    version = api_as(tina).get(f"/api/v1/tickets/{alice_ticket.pk}/").json()["version"]
    api_as(nick).patch(f"/api/v1/tickets/{alice_ticket.pk}/", {"priority": "P1"}, format="json")
    response = api_as(tina).post(url(alice_ticket), {"body": "Done", "version": version}, format="json")
    assert response.status_code == 409
    assert any("P1" in change for change in response.json()["changes"])
    assert not Message.objects.exists()


def test_the_message_list_has_a_fixed_number_of_queries(
    api_as, django_assert_max_num_queries, alice, tina, alice_ticket
):
    for n in range(20):
        services.message_add(ticket=alice_ticket, author=[alice, tina][n % 2], body=f"m{n}")
    with django_assert_max_num_queries(2):
        response = api_as(tina).get(url(alice_ticket), {"page_size": 50})
    assert len(response.json()["results"]) == 20

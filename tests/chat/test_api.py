"""``/api/v1/chats/``: list, detail, transcript — scoped like the chat's ticket, never the token."""

from __future__ import annotations

import pytest

from chat.services import agent_available_set, chat_accept, chat_post_message, chat_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(service_desk, alice, tina, printer_article):  # noqa: ANN001, ANN201
    agent_available_set(agent=tina, available=True)
    chat = chat_start(user=alice, language="en")
    chat_post_message(chat=chat, by=alice, body="paper jam in the printer", client_id="a")
    chat.refresh_from_db()
    from chat.services import chat_request_agent_by

    chat_request_agent_by(chat=chat, by=alice)
    chat_accept(chat=chat, agent=tina)
    chat_post_message(chat=chat, by=tina, body="On it", client_id="t")
    return chat


def test_an_agent_lists_reads_and_gets_the_transcript_with_the_bot_marked(
    api_as, tina, chat, django_assert_max_num_queries
):  # noqa: ANN001
    client = api_as(tina)
    with django_assert_max_num_queries(6):
        listing = client.get("/api/v1/chats/").json()
    assert [c["id"] for c in listing["results"]] == [chat.pk]
    assert "token" not in listing["results"][0]
    detail = client.get(f"/api/v1/chats/{chat.pk}/").json()
    assert detail["state"] == "active"
    assert detail["agent"] == "Tina" or detail["agent"].startswith("Tina")
    assert detail["reference"] == chat.ticket.reference
    with django_assert_max_num_queries(6):
        transcript = client.get(f"/api/v1/chats/{chat.pk}/transcript/").json()["results"]
    kinds = [line["kind"] for line in transcript]
    assert kinds[0] == "customer"
    assert "bot" in kinds
    assert transcript[-1]["body"] == "On it"
    assert transcript[-1]["author"] == "Tina"
    assert client.get("/api/v1/chats/?state=ended").json()["results"] == []


def test_a_customer_sees_their_own_chat_and_another_customer_gets_404(api_as, alice, bob, chat):  # noqa: ANN001
    assert api_as(alice).get(f"/api/v1/chats/{chat.pk}/").status_code == 200
    assert api_as(bob).get(f"/api/v1/chats/{chat.pk}/").status_code == 404
    assert api_as(bob).get(f"/api/v1/chats/{chat.pk}/transcript/").status_code == 404
    assert api_as(bob).get("/api/v1/chats/").json()["results"] == []
    assert api_as(None).get("/api/v1/chats/").status_code in (401, 403)


def test_the_schema_lists_the_chat_api(api):  # noqa: ANN001
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in ["/api/v1/chats/", "/api/v1/chats/{id}/", "/api/v1/chats/{id}/transcript/"]:
        assert path in paths, path

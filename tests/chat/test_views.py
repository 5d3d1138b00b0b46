"""The inbox page and the supervisors' chat settings."""

from __future__ import annotations

import pytest

from chat.models import ChatSettings, TeamChatSettings

pytestmark = pytest.mark.django_db


def test_the_inbox_is_for_agents_only(client, tina, alice):  # noqa: ANN001
    client.force_login(alice)
    assert client.get("/agent/chat/").status_code == 403
    client.force_login(tina)
    page = client.get("/agent/chat/")
    assert page.status_code == 200
    assert b"static/chat/inbox.js" in page.content


def test_a_supervisor_sets_the_bot_the_allowed_origins_and_a_teams_cap(client, sam, tina, service_desk):  # noqa: ANN001
    client.force_login(tina)
    assert client.get("/agent/chat/settings/").status_code == 403
    client.force_login(sam)
    assert client.get("/agent/chat/settings/").status_code == 200
    response = client.post(
        "/agent/chat/settings/",
        {"allowed_origins": "https://Shop.example/\nhttps://shop.example\n\nhttp://intranet.local:8080"},
    )
    assert response.status_code == 302
    row = ChatSettings.load()
    assert row.bot_enabled is False
    assert row.origins() == {"https://shop.example", "http://intranet.local:8080"}
    client.post("/agent/chat/settings/", {"team": service_desk.pk, "max_chats_per_agent": 5})
    assert TeamChatSettings.objects.get(team=service_desk).max_chats_per_agent == 5


def test_an_origin_with_a_path_or_another_scheme_is_refused(client, sam):  # noqa: ANN001
    client.force_login(sam)
    for bad in ["https://shop.example/page", "javascript:alert(1)", "shop.example"]:
        response = client.post("/agent/chat/settings/", {"bot_enabled": "on", "allowed_origins": bad})
        assert response.status_code == 200, bad
        assert "is not an origin" in response.content.decode()
    assert ChatSettings.load().allowed_origins == ""


def test_the_help_centre_carries_the_widget_for_customers_but_not_for_agents(client, tina):  # noqa: ANN001
    assert b"static/chat/widget.js" in client.get("/help/").content
    client.force_login(tina)
    assert b"static/chat/widget.js" not in client.get("/help/").content

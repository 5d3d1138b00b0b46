"""End to end in Debian's Chromium: agent A mentions agent B in an internal note through the note box's
autocomplete; B sees the unread badge, opens the list and follows the link to the ticket (en and de)."""

from __future__ import annotations

import re

import pytest

from notifications.models import InAppNotification, Mention
from tests.conftest import signed_in_page
from tests.factories import UserFactory
from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"  # tests/factories.py

TEXT = {
    "en": {"sign_in": "Sign in", "note": "Add internal note", "inbox": "Notifications", "follow": "Unfollow"},
    "de": {
        "sign_in": "Anmelden",
        "note": "Interne Notiz hinzufügen",
        "inbox": "Mitteilungen",
        "follow": "Nicht mehr folgen",
    },
}


def _page(browser, live_server, user, lang: str):  # noqa: ANN001, ANN202
    return signed_in_page(browser, live_server, user, lang, PASSWORD)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_mention_through_the_autocomplete_reaches_the_colleague(
    browser, live_server, alice, tina, service_desk, network_team, lang
):  # noqa: ANN001
    t = TEXT[lang]
    nick = UserFactory(
        username="nick", role="agent", first_name="Nick", last_name="Novak", teams=[network_team]
    )
    UserFactory(username="nils", role="agent", first_name="Nils", last_name="Nagel")
    ticket = ticket_create(requester=alice, by=alice, subject="VPN drops", description="Since the update.")

    # given: tina writes a note and types "@ni"
    a = _page(browser, live_server, tina, lang)
    a.goto(f"/agent/tickets/{ticket.pk}/")
    a.click("#id_body")
    a.keyboard.type("Could you check the tunnel, @ni")
    options = a.locator("#mention-listbox [role=option]")
    options.first.wait_for()
    assert a.get_attribute("#id_body", "aria-expanded") == "true"
    assert [o.strip() for o in options.all_inner_texts()] == ["Nick Novak", "Nils Nagel"]
    # when: she narrows it down, picks Nick with the keyboard and adds the note
    a.keyboard.type("ck")
    a.wait_for_function("document.querySelectorAll('#mention-listbox [role=option]').length === 1")
    a.keyboard.press("Enter")
    assert a.input_value("#id_body") == f"Could you check the tunnel, @[Nick Novak|{nick.pk}] "
    assert a.get_attribute("#id_body", "aria-expanded") == "false"
    a.keyboard.type("please?")
    a.get_by_role("button", name=t["note"]).click()
    note = a.wait_for_selector("li[data-kind=note] .mention")
    assert note.inner_text() == "@Nick Novak"
    assert Mention.objects.get().user == nick

    # then: nick sees the unread count in the top bar, opens the list and follows the link
    b = _page(browser, live_server, nick, lang)
    b.goto("/agent/")
    badge = b.wait_for_selector("[data-testid=unread-count]")
    assert badge.inner_text() == "1"
    b.locator(".mainnav").get_by_role("link", name=re.compile(t["inbox"])).click()
    b.wait_for_url(re.compile(r"/agent/notifications/$"))
    item = b.locator("[data-testid=inbox] li").first
    assert "Tina" in item.inner_text()
    item.get_by_role("button", name=re.compile(ticket.reference)).click()
    b.wait_for_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    assert b.locator("li[data-kind=note] .mention").inner_text() == "@Nick Novak"
    # the mention made him follow the ticket; the item is read and the badge gone
    b.get_by_role("button", name=t["follow"]).wait_for()
    assert InAppNotification.objects.get(recipient=nick).read_at is not None
    b.wait_for_function("document.querySelector('.nav-badge-slot') && !document.querySelector('.nav-badge')")
    a.context.close()
    b.context.close()

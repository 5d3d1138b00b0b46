"""The keyboard shortcuts in Debian's Chromium: each key pressed, its effect checked."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tickets import services as ts
from tickets.models import Ticket
from timetracking.models import RunningTimer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERLAY = {
    "en": ("Keyboard shortcuts", "Next ticket in the queue"),
    "de": ("Tastenkürzel", "Nächstes Ticket der Warteschlange"),
}


def signed_in(browser, live_server, user, lang="en"):  # noqa: ANN001, ANN201
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale=lang, base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


@pytest.fixture
def three(alice, service_desk):  # noqa: ANN001, ANN201
    return [
        ts.ticket_create(requester=alice, by=alice, subject=f"Printer {i}", description="Jammed")
        for i in range(3)
    ]


def test_next_previous_and_search_follow_the_queue(browser, live_server, tina, three):
    page, errors = signed_in(browser, live_server, tina)
    page.goto("/agent/?tab=open&sort=oldest")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("jk")  # typing in the box: no shortcut fires
    assert page.input_value("#id_q") == "jk"
    assert "/agent/tickets/" not in page.url
    page.keyboard.press("Escape")
    page.fill("#id_q", "")
    page.get_by_role("link", name="Printer 0").click()
    page.wait_for_url(re.compile(rf"/agent/tickets/{three[0].pk}/\?from="))
    page.keyboard.press("j")
    page.wait_for_url(re.compile(rf"/agent/tickets/{three[1].pk}/\?from="))
    page.keyboard.press("j")
    page.wait_for_url(re.compile(rf"/agent/tickets/{three[2].pk}/\?from="))
    page.keyboard.press("k")
    page.wait_for_url(re.compile(rf"/agent/tickets/{three[1].pk}/\?from="))
    page.keyboard.press("Control+j")  # combinations belong to the browser
    page.wait_for_timeout(300)
    assert f"/agent/tickets/{three[1].pk}/" in page.url
    assert errors == []


def test_reply_note_assign_timer_and_escalate_keys(browser, live_server, tina, three):
    page, errors = signed_in(browser, live_server, tina)
    ticket = three[0]
    page.goto(f"/agent/tickets/{ticket.pk}/")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.type("n")  # typed into the box, not a shortcut
    assert page.input_value("#id_body") == "n"
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == "id_body"
    assert page.get_attribute("#reply-form", "data-kind") == "note"
    assert not page.locator("#reply-form button[value=reply]").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    assert page.get_attribute("#reply-form", "data-kind") is None
    page.keyboard.press("Escape")
    page.keyboard.press("t")
    page.locator("[data-testid=timer-running]").wait_for()
    assert RunningTimer.objects.filter(agent=tina, ticket=ticket).exists()
    page.keyboard.press("a")
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('[data-shortcut=a]')")
    assert Ticket.objects.get(pk=ticket.pk).assignee == tina
    page.keyboard.press("m")  # no macro picker on this page (yet): says so instead of nothing
    page.locator("#shortcut-toast.shown").wait_for()
    page.keyboard.press("e")
    page.wait_for_url(re.compile(rf"/agent/tickets/{ticket.pk}/escalate/"))
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_question_mark_opens_the_list_and_it_can_turn_the_keys_off(browser, live_server, tina, three, lang):
    page, errors = signed_in(browser, live_server, tina, lang)
    page.goto(f"/agent/tickets/{three[0].pk}/")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    title, line = OVERLAY[lang]
    assert title in dialog.inner_text()
    assert line in dialog.inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.keyboard.press("?")
    page.check("#shortcuts-off")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") != "id_body"
    assert errors == []


def test_customers_get_no_shortcuts(browser, live_server, alice, three):
    page, _errors = signed_in(browser, live_server, alice)
    page.goto("/portal/tickets/")
    assert page.locator("#shortcut-help").count() == 0

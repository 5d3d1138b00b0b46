"""End to end in Debian's Chromium: a customer's request, an agent's note and reply, in English and German."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import signed_in_page
from tickets import services
from tickets.models import Ticket

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "sign_in": "Sign in",
        "submit": "Submit request",
        "thanks": "we have received your request",
        "reply": "Send public reply",
        "note": "Add internal note",
        "internal": "Internal note",
        "my_requests": "My requests",
        "stale": "this ticket changed while you were writing",
        "typing": "is typing a reply",
        "viewing": "is viewing",
    },
    "de": {
        "sign_in": "Anmelden",
        "submit": "Anfrage absenden",
        "thanks": "wir haben Ihre Anfrage erhalten",
        "reply": "Öffentliche Antwort senden",
        "note": "Interne Notiz hinzufügen",
        "internal": "Interne Notiz",
        "my_requests": "Meine Anfragen",
        "stale": "dieses Ticket wurde geändert, während Sie schrieben",
        "typing": "schreibt eine Antwort",
        "viewing": "sieht sich das Ticket an",
    },
}


def _page(browser, live_server, user, lang: str):  # noqa: ANN001, ANN202
    return signed_in_page(browser, live_server, user, lang, PASSWORD)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_request_note_and_reply_round_trip(browser, live_server, alice, tina, service_desk, lang):
    t = TEXT[lang]
    # given: the customer submits the portal form and sees the reference
    customer = _page(browser, live_server, alice, lang)
    customer.goto("/portal/new/")
    customer.fill("#id_subject", "Laptop will not boot")
    customer.fill("#id_description", "Black screen after the update.")
    customer.get_by_role("button", name=t["submit"]).click()
    customer.wait_for_selector("[data-testid=reference]")
    ticket = Ticket.objects.get(subject="Laptop will not boot")
    assert customer.inner_text("[data-testid=reference]") == ticket.reference
    assert t["thanks"] in customer.content()

    # when: the agent finds it in the queue, adds an internal note and a public reply
    agent = _page(browser, live_server, tina, lang)
    assert agent.url.endswith("/agent/")
    agent.goto("/agent/?tab=unassigned")
    agent.get_by_role("link", name="Laptop will not boot").click()
    agent.wait_for_url(re.compile(rf"/agent/tickets/{ticket.pk}/(\?from=.*)?$"))
    agent.fill("#id_body", "Customer sounded stressed; check warranty.")
    agent.get_by_role("button", name=t["note"]).click()
    agent.wait_for_selector("li[data-kind=note]")
    agent.fill("#id_body", "Please hold the power button for 30 seconds.")
    agent.get_by_role("button", name=t["reply"]).click()
    agent.wait_for_selector("li[data-kind=reply]")
    assert t["internal"] in agent.inner_text("li[data-kind=note]")

    # then: the customer sees the reply and never the note
    customer.goto(f"/portal/tickets/{ticket.reference}/")
    html = customer.content()
    assert "Please hold the power button for 30 seconds." in html
    assert "warranty" not in html
    assert t["my_requests"] in html
    customer.context.close()
    agent.context.close()


def test_collision_notice_keeps_the_text_and_sending_again_works(
    browser, live_server, alice, tina, nick, alice_ticket, settings
):
    # English only, to keep the suite fast; tests/ui/test_i18n.py checks the German notice.
    lang = "en"
    t = TEXT[lang]
    settings.HELPDESK_PRESENCE_POLL_SECONDS = 1
    # given: both agents have the ticket open; tina starts typing
    tina_page = _page(browser, live_server, tina, lang)
    nick_page = _page(browser, live_server, nick, lang)
    url = f"/agent/tickets/{alice_ticket.pk}/"
    tina_page.goto(url)
    nick_page.goto(url)
    tina_page.fill("#id_body", "")
    tina_page.type("#id_body", "My careful answer")
    # nick's presence poll shows tina typing
    nick_page.wait_for_selector(f"#presence :text('{t['typing']}')", timeout=15_000)
    # when: nick replies first, then tina sends her now outdated reply
    nick_page.fill("#id_body", "Answered by Nick")
    nick_page.get_by_role("button", name=t["reply"]).click()
    nick_page.wait_for_selector("li[data-kind=reply]")
    # tina's page warns her while she is still writing
    tina_page.wait_for_selector("#presence [data-testid=outdated]", timeout=15_000)
    tina_page.get_by_role("button", name=t["reply"]).click()
    # then: it is held back with a notice naming the change, and the text is kept
    notice = tina_page.wait_for_selector("[data-testid=stale-notice]")
    assert t["stale"] in notice.inner_text()
    assert "Nick" in notice.inner_text()
    assert tina_page.input_value("#id_body") == "My careful answer"
    assert not alice_ticket.messages.filter(body="My careful answer").exists()
    # and sending again goes through
    tina_page.get_by_role("button", name=t["reply"]).click()
    tina_page.wait_for_selector("li[data-kind=reply] >> text=My careful answer")
    assert alice_ticket.messages.filter(body="My careful answer").exists()
    tina_page.context.close()
    nick_page.context.close()


NARROW = {
    "en": {
        "menu": "Menu",
        "my_requests": "My requests",
        "waiting": "Waiting for your reply",
        "updated": "Last update",
    },
    "de": {
        "menu": "Menü",
        "my_requests": "Meine Anfragen",
        "waiting": "Wartet auf Ihre Antwort",
        "updated": "Letzte Änderung",
    },
}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_portal_at_390_px_compact_header_and_readable_requests(
    browser, live_server, alice, tina, service_desk, lang
):
    t = NARROW[lang]
    waiting = services.ticket_create(
        requester=alice, by=alice, subject="Printer on floor 3 prints blank pages", description="d"
    )
    services.ticket_update(ticket=waiting, by=tina, status="pending")
    services.ticket_create(requester=alice, by=alice, subject="VPN drops", description="d")
    alice.language = lang
    alice.save(update_fields=["language"])
    client = Client()
    client.force_login(alice)
    context = browser.new_context(
        locale=lang, base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/portal/tickets/")
    # the header is one row: brand and a menu button
    assert page.locator("header.topbar").bounding_box()["height"] <= 64
    nav_link = page.locator(".mainnav").get_by_role("link", name=t["my_requests"])
    assert not nav_link.is_visible()
    menu = page.get_by_role("button", name=t["menu"])
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav_link.is_visible()
    page.keyboard.press("Escape")
    assert not nav_link.is_visible()
    # every request shows its whole status and its dates, nothing runs off the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    status = page.locator("tr", has_text="Printer on floor 3").locator(".badge")
    assert status.inner_text() == t["waiting"]
    box, wrap_box = status.bounding_box(), wrap.bounding_box()
    assert box["x"] >= wrap_box["x"]
    assert box["x"] + box["width"] <= wrap_box["x"] + wrap_box["width"]
    assert status.evaluate("el => el.scrollWidth <= el.clientWidth")
    updated = page.locator("tr", has_text="Printer on floor 3").locator("td.updated")
    assert updated.is_visible()
    assert t["updated"] in updated.evaluate("el => getComputedStyle(el, '::before').content")
    context.close()


SORT_FITS = """() => {
  const select = document.getElementById("id_sort"), style = getComputedStyle(select);
  const probe = document.createElement("span");
  probe.style.cssText = "position:absolute;white-space:nowrap;visibility:hidden";
  probe.style.font = style.font;
  document.body.appendChild(probe);
  let widest = 0;
  for (const option of select.options) {
    probe.textContent = option.text;
    widest = Math.max(widest, probe.getBoundingClientRect().width);
  }
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
  const form = select.closest("form").getBoundingClientRect();
  return {widest, room, inside: select.getBoundingClientRect().right <= form.right + 0.5};
}"""


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_supervisors_navigation_is_one_line_and_the_sort_box_fits_at_1366(
    browser, live_server, sam, lang
):
    sam.last_name = "Roth"  # the demo's supervisor, full name shown beside the chat icon and the bell
    sam.save(update_fields=["last_name"])
    page = _page(browser, live_server, sam, lang)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/agent/")
    assert page.locator("nav.mainnav a[href='/agent/chat/']").is_visible()
    link = page.locator("nav.mainnav > a").first.bounding_box()
    nav = page.locator("nav.mainnav").bounding_box()
    assert nav["height"] < 1.5 * link["height"], (nav, link)  # one line, not two
    assert page.locator("nav.mainnav a[href='/agent/config/sla/']").is_hidden()  # folded into the menu
    # the configuration pages are one click away, in a menu that works without JavaScript
    page.locator("nav.mainnav details.navmenu > summary").click()
    page.locator("nav.mainnav a[href='/agent/config/sla/']").click()
    page.wait_for_url("**/agent/config/sla/")
    assert page.locator("nav.mainnav details.navmenu > summary.active").count() == 1


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_queue_sort_box_is_not_cut_at_1366(browser, live_server, sam, lang):
    page = _page(browser, live_server, sam, lang)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/agent/")
    fits = page.evaluate(SORT_FITS)
    assert fits["inside"], fits
    assert fits["room"] >= fits["widest"], fits  # the longest sort choice is not cut


def test_the_navigation_is_a_menu_at_390(browser, live_server, sam):
    page = _page(browser, live_server, sam, "en")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/agent/")
    assert page.locator("nav.mainnav").is_hidden()
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 120, header
    page.get_by_role("button", name="Menu").click()
    assert page.locator("nav.mainnav a[href='/dashboard/']").is_visible()
    page.locator("nav.mainnav details.navmenu > summary").click()
    assert page.locator("nav.mainnav a[href='/agent/config/paths/']").is_visible()

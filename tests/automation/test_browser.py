"""In Debian's Chromium: apply a macro from the ticket page; write a rule and see its dry run (en, de)."""

from __future__ import annotations

import pytest

from automation import services
from automation.models import Rule
from tests.conftest import signed_in_page

PASSWORD = "pw-Secret-123"  # tests/factories.py UserFactory
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "sign_in": "Sign in",
        "applied": "applied",
        "dry_run": "Dry run",
        "would": "would have acted on 1 ticket",
        "save": "Save",
        "pending": "Pending",
        "nothing": "Nothing was changed.",
        "automation": "Automation",
    },
    "de": {
        "sign_in": "Anmelden",
        "applied": "angewendet",
        "dry_run": "Probelauf",
        "would": "hätte diese Regel 1 Ticket bearbeitet",
        "save": "Speichern",
        "pending": "Wartend",
        "nothing": "Nichts wurde geändert.",
        "automation": "Automatisierung",
    },
}


def _page(browser, live_server, user, lang: str):  # noqa: ANN001, ANN202
    return signed_in_page(browser, live_server, user, lang, PASSWORD)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_apply_a_macro_on_the_ticket_page(browser, live_server, tina, ticket, lang):
    services.macro_save(
        user=tina,
        name="Ask for logs",
        actions=[
            {"type": "set_status", "value": "pending"},
            {"type": "reply", "body": "Hello {customer_name}, please send us the VPN log."},
        ],
    )
    page = _page(browser, live_server, tina, lang)
    page.goto(f"/agent/tickets/{ticket.pk}/")
    page.locator('[data-shortcut="m"]').click()
    page.get_by_role("menuitem", name="Ask for logs").click()
    page.wait_for_load_state()
    assert TEXT[lang]["applied"] in page.locator(".messages, [role=status], body").first.inner_text()
    assert "Hello Alice, please send us the VPN log." in page.content()
    page.locator(
        "details[data-panel] summary", has_text=TEXT[lang]["automation"]
    ).click()  # a collapsed side panel
    log = page.locator("#automation-log").inner_text()
    assert "Ask for logs" in log
    assert TEXT[lang]["pending"] in log
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_write_a_rule_and_see_its_dry_run(browser, live_server, sam, ticket, lang):
    page = _page(browser, live_server, sam, lang)
    page.goto("/agent/config/rules/new/")
    page.fill("#id_name", "VPN tickets to network")
    page.select_option("#id_trigger", "created")
    page.fill("#id_cond_text", "VPN")
    page.fill("#id_add_tags", "vpn")
    page.get_by_role("button", name=TEXT[lang]["dry_run"], exact=True).click()
    page.wait_for_load_state()
    result = page.locator("#dry-run-result").inner_text()
    assert TEXT[lang]["would"] in result
    assert ticket.reference in result
    assert TEXT[lang]["nothing"] in result
    assert not Rule.objects.exists()
    # the form kept what was typed; saving it stores the rule
    page.get_by_role("button", name=TEXT[lang]["save"], exact=True).click()
    page.wait_for_load_state()
    assert "VPN tickets to network" in page.locator("#rule-list").inner_text()
    assert Rule.objects.get().actions == [{"type": "add_tags", "value": ["vpn"]}]
    page.context.close()

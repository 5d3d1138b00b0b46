"""The time panel and the dashboard's time section in Debian's Chromium."""

from __future__ import annotations

import pytest

from tests.shortcuts.test_browser import signed_in
from timetracking import services
from timetracking.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_timer_survives_a_reload_and_stops_into_an_entry(browser, live_server, tina, vpn_ticket):
    page, errors = signed_in(browser, live_server, tina)
    page.goto(f"/agent/tickets/{vpn_ticket.pk}/")
    page.click("[data-testid=timer-start]")
    page.locator("[data-testid=timer-running]").wait_for()
    page.wait_for_function("() => /0:00:0[1-9]/.test(document.querySelector('.time-elapsed').textContent)")
    page.reload()
    page.locator("[data-testid=timer-running]").wait_for()  # kept on the server
    page.fill("#id_timer_note", "Reset the VPN profile")
    page.click("[data-testid=timer-stop]")
    page.locator("[data-testid=timer-start]").wait_for()
    assert page.inner_text("[data-testid=time-total]") == "1 min"
    assert "Reset the VPN profile" in page.inner_text("[data-testid=time-entries]")
    entry = TimeEntry.objects.get()
    assert (entry.source, entry.minutes, entry.note) == ("timer", 1, "Reset the VPN profile")
    assert errors == []


def test_manual_entry_with_an_error_first(browser, live_server, tina, vpn_ticket):
    page, errors = signed_in(browser, live_server, tina, "de")
    page.goto(f"/agent/tickets/{vpn_ticket.pk}/")
    page.locator(".time-add summary").click()
    page.fill("#time_duration", "ewig")
    page.locator("#time-panel button[type=submit]", has_text="Zeit erfassen").click()
    page.locator("#time-panel .errorlist").wait_for()
    assert "Dauer" in page.inner_text("#time-panel")
    assert not TimeEntry.objects.exists()
    page.fill("#time_duration", "1:30")
    page.fill("#time_note", "Telefonat")
    page.check("#time_billable")
    page.locator("#time-panel button[type=submit]", has_text="Zeit erfassen").click()
    page.locator("[data-testid=time-entries]").wait_for()
    assert page.inner_text("[data-testid=time-total]") == "1 Std. 30 Min."
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.billable, entry.note) == (90, True, "Telefonat")
    assert errors == []


def test_dashboard_time_totals_and_csv(browser, live_server, sam, tina, nick, vpn_ticket):
    services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=40, billable=True)
    services.time_entry_create(ticket=vpn_ticket, by=nick, minutes=20)
    page, errors = signed_in(browser, live_server, sam)
    page.goto("/dashboard/?days=30")
    page.locator("#time a").click()
    page.wait_for_url("**/dashboard/time/**")
    assert page.inner_text("#time-total .rep-value") == "1 h"
    assert "Tina" in page.inner_text("#time-agents")
    with page.expect_download() as download:
        page.locator("#time-agents a", has_text="CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: PTH123, SIM115
    assert "Tina,40,40,1" in text
    assert errors == []

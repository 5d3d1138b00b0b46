"""In Debian's Chromium: tick tickets in the queue, set their status in bulk, read the summary; merge
from the ticket page. English and German."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.models import Ticket

from .test_browser import _page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "apply": "Apply to selected",
        "summary": "2 changed, 1 skipped: closed",
        "merge": "Merge",
        "merged": "was merged into",
    },
    "de": {
        "apply": "Auf Auswahl anwenden",
        "summary": "2 geändert, 1 übersprungen: geschlossen",
        "merge": "Zusammenführen",
        "merged": "zusammengeführt",
    },
}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_select_in_the_queue_set_status_in_bulk_and_see_the_summary(
    browser, live_server, alice, tina, service_desk, lang
):
    t = TEXT[lang]
    tickets = [
        services.ticket_create(requester=alice, by=alice, subject=f"Printer {i}", description="d")
        for i in range(3)
    ]
    services.ticket_close(ticket=tickets[0], by=tina)  # a closed one is skipped
    page = _page(browser, live_server, tina, lang)
    page.goto("/agent/?tab=open&status=")
    assert page.locator("[data-testid=bulk-bar]").is_hidden()
    page.locator(f".bulk-pick[value='{tickets[1].pk}']").check()
    page.locator(f".bulk-pick[value='{tickets[2].pk}']").check()
    assert page.locator("[data-testid=bulk-bar]").is_visible()
    assert page.inner_text("#bulk-selected-count") == "2"
    # the closed one is not in the open queue: pick it from "all" through the filter-free id list
    page.evaluate(
        "id => { const i = document.createElement('input'); i.type='hidden'; i.name='ids'; i.value=id;"
        " document.getElementById('bulk-form').appendChild(i); }",
        str(tickets[0].pk),
    )
    page.select_option("#bulk-action", "status")
    page.select_option("#bulk-status", "pending")
    page.get_by_role("button", name=t["apply"]).click()
    summary = page.wait_for_selector("[data-testid=bulk-summary]")
    assert summary.inner_text() == t["summary"]
    assert tickets[0].reference in page.inner_text("#bulk-result")
    assert list(
        Ticket.objects.filter(pk__in=[tickets[1].pk, tickets[2].pk]).values_list("status", flat=True)
    ) == ["pending", "pending"]
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_select_all_matching_the_filters(browser, live_server, alice, tina, service_desk, lang, settings):
    t = TEXT[lang]
    settings.HELPDESK_QUEUE_PAGE_SIZE = 2
    for i in range(5):
        services.ticket_create(requester=alice, by=alice, subject=f"Scanner {i}", description="d")
    page = _page(browser, live_server, tina, lang)
    page.goto("/agent/?tab=open")
    page.locator("#bulk-all-page").check()
    button = page.locator("#bulk-select-matching")
    button.wait_for(state="visible")
    page.wait_for_function(
        "document.querySelector('#bulk-select-matching .bulk-matching-count').textContent === '5'"
    )
    button.click()
    page.select_option("#bulk-action", "priority")
    page.select_option("#bulk-priority", "P1")
    page.get_by_role("button", name=t["apply"]).click()
    page.wait_for_selector("[data-testid=bulk-summary]")
    assert Ticket.objects.filter(priority="P1").count() == 5
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_merge_from_the_ticket_page(browser, live_server, alice, tina, service_desk, lang):
    t = TEXT[lang]
    source = services.ticket_create(requester=alice, by=alice, subject="VPN again", description="d")
    target = services.ticket_create(requester=alice, by=alice, subject="VPN", description="d")
    page = _page(browser, live_server, tina, lang)
    page.goto(f"/agent/tickets/{source.pk}/")
    page.locator("#links details").nth(1).locator("summary").click()
    page.fill("#merge-target", target.reference)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=merge-form] button[type=submit]").click()
    page.wait_for_url(f"**/agent/tickets/{target.pk}/")
    assert t["merged"] in page.content()
    assert source.reference in page.inner_text("[data-testid=ticket-links]")
    source.refresh_from_db()
    assert (source.status, source.merged_into_id) == ("closed", target.pk)
    page.goto(f"/agent/tickets/{source.pk}/")
    assert target.reference in page.inner_text("[data-testid=merged-banner]")
    page.context.close()

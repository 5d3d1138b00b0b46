"""The main flow in Debian's Chromium: a supervisor sets up an organisation, a new customer at its domain
joins by signing up, an agent reads the organisation's notes on the ticket page; a manager gives a
colleague the right to see all of the organisation's tickets, and the colleague opens one."""

from __future__ import annotations

import pytest

from accounts.models import User
from organisations.models import Membership, Organisation
from tests.shortcuts.test_browser import signed_in
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_set_up_sign_up_and_the_notes_on_the_ticket_page(browser, live_server, sam, tina, service_desk):
    # a supervisor creates the organisation (a taken domain first: a form error)
    page, errors = signed_in(browser, live_server, sam)
    page.goto("/agent/config/organisations/")
    page.fill("#id_name", "Initech")
    page.fill("#id_domains", "initech.example")
    page.fill("#id_notes", "Priority customer: call back within the hour.")
    page.locator("#new-organisation button[type=submit]").click()
    page.wait_for_url("**/agent/config/organisations/*/")
    org = Organisation.objects.get(name="Initech")
    assert list(org.domains.values_list("domain", flat=True)) == ["initech.example"]
    page.goto("/agent/config/organisations/")
    page.fill("#id_name", "Initrode")
    page.fill("#id_domains", "initech.example")
    page.locator("#new-organisation button[type=submit]").click()
    page.locator(".errorlist").first.wait_for()
    assert "already belongs to Initech" in page.inner_text("#new-organisation")
    page.context.close()
    # a new customer at the domain signs up and asks for help
    context = browser.new_context(locale="en", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/signup/")
    page.fill("#id_username", "peter")
    page.fill("#id_first_name", "Peter")
    page.fill("#id_last_name", "Gibbons")
    page.fill("#id_email", "peter@initech.example")
    page.fill("#id_password1", "TPS-reports-2026!")
    page.fill("#id_password2", "TPS-reports-2026!")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    peter = User.objects.get(username="peter")
    assert Membership.objects.get(user=peter).organisation == org
    page.goto("/portal/organisation/")
    assert page.locator("h1").inner_text() == "Initech"
    assert "Priority customer" not in page.content()
    page.goto("/portal/new/")
    page.fill("#id_subject", "Stapler missing")
    page.fill("#id_description", "Has anyone seen my red stapler?")
    page.locator("main form button.btn-primary[type=submit]").click()
    page.wait_for_url("**/submitted/")
    context.close()
    # the agent reads the organisation's notes beside the ticket
    page, errors2 = signed_in(browser, live_server, tina)
    page.goto(f"/agent/tickets/{Ticket.objects.get(requester=peter).pk}/")
    panel = page.locator("[data-testid=organisation-panel]")
    assert "Initech" in panel.inner_text()
    assert "call back within the hour" in panel.inner_text()
    assert errors == []
    assert errors2 == []


def test_a_manager_lets_a_colleague_see_all_tickets(browser, live_server, people, tickets, acme):
    # the manager, in German, gives Nora the right
    page, errors = signed_in(browser, live_server, people["mark"], "de")
    page.goto("/portal/organisation/")
    page.wait_for_url(f"**/portal/organisation/{acme.pk}/")
    row = page.locator("[data-testid='member-nora@acme.example']")
    row.get_by_label("Sieht alle Tickets").check()
    row.get_by_role("button", name="Speichern").click()
    page.locator(".messages, [role=status]").first.wait_for()
    assert Membership.objects.get(user=people["nora"]).sees_all_tickets
    # Nora now sees Alice's request and opens it
    page, errors2 = signed_in(browser, live_server, people["nora"], "de")
    page.goto(f"/portal/organisation/{acme.pk}/")
    page.get_by_role("link", name="Printer jammed").click()
    page.wait_for_url(f"**/portal/tickets/{tickets['alice'].reference}/")
    assert "Printer jammed" in page.inner_text("h1")
    assert errors == []
    assert errors2 == []

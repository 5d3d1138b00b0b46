"""Browser tests (Playwright + Debian's Chromium): portal suggestions with deflection, help centre
search and feedback, and the agent sidebar (insert into reply, checklist, canned response)."""

from __future__ import annotations

import pytest
from django.test import Client

from knowledgebase.models import (
    ArticleTicketLink,
    CannedResponse,
    Checklist,
    ChecklistItem,
    ChecklistTick,
    Deflection,
)
from tests.factories import TicketFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def page(browser, live_server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_portal_suggests_articles_while_typing_and_solved_ends_the_form(
    page, live_server, make_article, alice
):  # noqa: ANN001
    # given: a customer on the real request form
    sign_in(page, live_server, alice)
    article = make_article(title="Reset your password", body="Use the self-service page to reset a password.")
    make_article(title="Calendar sharing", body="Share your calendar.")
    # when the customer types a subject
    page.goto("/portal/new/")
    page.fill("#id_subject", "")
    page.type("#id_subject", "password reset", delay=20)
    # then suggestions appear
    suggestion = page.locator("#kb-suggestions .kb-suggestion")
    suggestion.first.wait_for()
    assert suggestion.count() == 1
    assert "Reset your password" in suggestion.first.inner_text()
    # when "This solved my problem" is clicked
    suggestion.first.get_by_role("button", name="This solved my problem").click()
    # then the form is replaced by a thank-you, no ticket, and a deflection is recorded
    page.locator(".kb-deflected").wait_for()
    assert page.locator("#id_subject").count() == 0
    deflection = Deflection.objects.get()
    assert deflection.article == article
    assert "password reset" in deflection.query


def test_help_centre_search_open_article_and_vote(page, make_article):  # noqa: ANN001
    make_article(slug="reset-password", title="Reset your password", body="## Steps\n\nUse **self-service**.")
    make_article(title="Calendar sharing", body="Share your calendar.")
    page.goto("/help/")
    page.fill("#kb-q", "password")
    page.locator("#kb-results .kb-result").first.wait_for()
    results = page.locator("#kb-results .kb-result")
    assert results.count() == 1
    results.first.get_by_role("link").click()
    page.wait_for_url("**/help/reset-password/")
    assert page.locator(".kb-body strong").inner_text() == "self-service"
    page.get_by_role("button", name="Yes").click()
    page.get_by_text("Thank you for your feedback.").wait_for()


def test_home_live_search_shows_results_while_typing_without_errors(page, make_article):  # noqa: ANN001
    make_article(slug="reset-password", title="Reset your password", body="Use the self-service page.")
    make_article(title="Calendar sharing", body="Share your calendar.")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(
        "document.addEventListener('htmx:targetError', () => console.error('htmx:targetError'))"
    )
    page.goto("/")
    # when a visitor types into the home page's search box (no Enter)
    page.type("#kb-q", "passw", delay=30)
    # then the results show on the home page itself
    result = page.locator("#kb-home-results .kb-result")
    result.first.wait_for()
    assert result.count() == 1
    assert "Reset your password" in result.first.inner_text()
    assert not page.url.rstrip("/").endswith("/help"), page.url
    # emptying the box clears them again (not the list of every article)
    page.fill("#kb-q", "")
    page.locator("#kb-home-results .kb-result").first.wait_for(state="detached")
    assert page.locator("#kb-home-results").inner_text().strip() == ""
    assert errors == []


def test_agent_sidebar_inserts_ticks_links_and_applies_canned(
    page, live_server, make_article, tina, alice, network_category
):  # noqa: ANN001, E501
    # given an agent signed in, a ticket with a matching article, a checklist and a canned response
    article = make_article(slug="vpn-ssl", title="VPN drops every hour", body="Switch to SSL only.")
    checklist = Checklist.objects.create(category=network_category, title="VPN checks")
    step = ChecklistItem.objects.create(checklist=checklist, text="Tried SSL only")
    CannedResponse.objects.create(title="Ask for details", body="Hello {customer_name}, which network?")
    ticket = TicketFactory(
        requester=alice, category=network_category, subject="VPN drops", description="hourly"
    )
    sign_in(page, live_server, tina)
    page.goto(f"/agent/tickets/{ticket.pk}/")
    # when "insert into reply" is clicked
    page.get_by_role("button", name="Insert into reply").click()
    # then the reply textarea holds the article's title and link
    body = page.locator("#reply-form #id_body")
    assert "VPN drops every hour" in body.input_value()
    assert "/help/vpn-ssl/" in body.input_value()
    # when a checklist step is ticked
    page.get_by_label("Tried SSL only").check()
    page.wait_for_function("document.querySelector('#kb-checklist input').checked")
    page.wait_for_timeout(300)
    assert ChecklistTick.objects.filter(ticket=ticket, item=step).exists()
    # when the article is linked as the solution
    page.get_by_role("button", name="Link as solution").click()
    page.get_by_text("Linked as solution").wait_for()
    assert ArticleTicketLink.objects.filter(ticket=ticket, article=article).exists()
    # when a canned response is chosen (its panel starts collapsed)
    page.locator("details[data-panel=agent_canned] > summary").click()
    page.get_by_role("button", name="Ask for details").click()
    page.wait_for_function("document.querySelector('#id_body').value.includes('Hello Alice')")

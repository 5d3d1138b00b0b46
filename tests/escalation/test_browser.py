"""In the browser: tier 1 escalates with a handoff, tier 2 sees the card and the queue, accepts, de-escalates."""

from __future__ import annotations

import pytest

from escalation.models import Escalation
from tickets.models import Ticket
from tickets.selectors import message_visible_qs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tier_1_escalates_tier_2_accepts_then_returns_it(page_as, tina, nick, alice, vpn_ticket, handoff):
    # given tina on the escalate form of alice's ticket
    page = page_as(tina)
    page.goto(f"/agent/tickets/{vpn_ticket.pk}/escalate/")
    page.select_option("#id_reason", "needs_expertise")

    # when she sends a handoff that is only a token
    page.fill("#id_summary", "VPN broken")
    page.fill("#id_steps_taken", handoff["steps_taken"])
    page.click("#escalate-form button[type=submit]")
    # then the form names the field, and nothing moved
    assert page.locator("#errors-summary").is_visible()
    assert "Summary" in page.locator("#errors-summary").inner_text()
    assert Ticket.objects.get(pk=vpn_ticket.pk).tier == 1

    # when she completes it
    page.fill("#id_summary", handoff["summary"])
    page.fill("#id_diagnostics", handoff["diagnostics"])
    page.fill("#id_customer_impact", handoff["customer_impact"])
    page.click("#escalate-form button[type=submit]")
    page.wait_for_url(f"**/agent/tickets/{vpn_ticket.pk}/handoffs/")
    assert "Tier 1 → Tier 2" in page.locator("#handoff-card").inner_text()
    assert Ticket.objects.get(pk=vpn_ticket.pk).tier == 2

    # then nick (tier 2) sees it in his queue with the handoff summary and waiting time
    nick_page = page_as(nick)
    nick_page.goto("/agent/escalations/")
    row = nick_page.locator(".esc-row").first
    assert handoff["summary"][:40] in row.inner_text()
    assert row.locator("time").inner_text().strip()
    row.get_by_role("link", name="Handoff").click()
    card = nick_page.locator("#handoff-card")
    for text in (
        handoff["summary"],
        handoff["steps_taken"],
        handoff["diagnostics"],
        handoff["customer_impact"],
    ):
        assert text in card.inner_text()
    assert "Escalated by Tina" in card.inner_text()

    # when he accepts
    nick_page.click("#accept-escalation")
    nick_page.wait_for_load_state()
    assert "Accepted" in nick_page.locator("#handoff-card .handoff-status").inner_text()
    escalation = Escalation.objects.get(ticket=vpn_ticket)
    assert (escalation.status, escalation.accepted_by) == ("accepted", nick)
    assert Ticket.objects.get(pk=vpn_ticket.pk).assignee == nick

    # and returns it to tier 1 with instructions
    nick_page.click("#action-deescalate")
    nick_page.fill(
        "#id_instructions", "Solution found: guide the customer through steps 1-3 of the VPN article"
    )
    nick_page.click("#deescalate-form button[type=submit]")
    nick_page.wait_for_url(f"**/agent/tickets/{vpn_ticket.pk}/handoffs/")
    assert "guide the customer through steps 1-3" in nick_page.locator(".deescalations").inner_text()
    ticket = Ticket.objects.get(pk=vpn_ticket.pk)
    assert (ticket.tier, ticket.assignee, ticket.deescalation_count) == (1, tina, 1)

    # the customer was told, and sees none of the handoff
    public = [m.body for m in message_visible_qs(user=alice, ticket=ticket)]
    assert len(public) == 1
    assert "specialist team" in public[0]
    assert not any(handoff["summary"] in body or "steps 1-3" in body for body in public)


def test_articles_are_picked_by_title_and_a_pick_survives_the_next_search(
    page_as, tina, nick, vpn_ticket, handoff
):
    from knowledgebase.models import Article
    from knowledgebase.search import search_vector_refresh

    printer = Article.objects.create(
        slug="printer", title="Printer spooler reset", body="b", status="published"
    )
    mail = Article.objects.create(slug="mailbox", title="Mailbox quota raise", body="b", status="published")
    search_vector_refresh(article_ids=[printer.pk, mail.pk])
    # given tina on the escalate form
    page = page_as(tina)
    page.goto(f"/agent/tickets/{vpn_ticket.pk}/escalate/")
    # when she searches, ticks a title, and searches for something else
    page.fill("#article-search", "spooler")
    page.locator("#article-results label", has_text="Printer spooler reset").click()
    page.fill("#article-search", "quota")
    page.locator("#article-results label", has_text="Mailbox quota raise").wait_for()
    # then the ticked one stays, among the picked ones
    assert page.locator("#article-picks input:checked").count() == 1
    assert "Printer spooler reset" in page.locator("#article-picks").inner_text()
    # when she escalates, the handoff names the article by its title
    for name in ("summary", "steps_taken", "diagnostics", "customer_impact"):
        page.fill(f"#id_{name}", handoff[name])
    page.click("#escalate-form button[type=submit]")
    page.wait_for_url(f"**/agent/tickets/{vpn_ticket.pk}/handoffs/")
    assert Escalation.objects.get().articles_tried == [printer.pk]
    assert "Printer spooler reset" in page.locator("#handoff-card .articles-tried").inner_text()

"""Writes: versions, links to tickets, article from ticket, deflections, canned responses, checklists."""

from __future__ import annotations

import pytest

from helpdesk.errors import ApplicationError
from knowledgebase.models import (
    Article,
    ArticleTicketLink,
    CannedResponse,
    Checklist,
    ChecklistItem,
    ChecklistTick,
    Deflection,
)
from knowledgebase.selectors import ticked_steps
from knowledgebase.services import (
    article_create,
    article_from_ticket,
    article_update,
    canned_response_apply,
    canned_response_render,
    checklist_tick_set,
    deflection_record,
)
from tests.factories import CategoryFactory, TicketFactory
from tickets.models import Ticket
from tickets.services import ticket_create, ticket_resolve

pytestmark = pytest.mark.django_db


def test_every_save_keeps_a_version_with_who_and_a_diff(make_article, tina, nick):  # noqa: ANN001
    # given
    article = make_article(title="VPN", body="Start the client.\nConnect.")
    # when
    article_update(
        article=article, by=nick, body="Start the client.\nConnect to vpn.example.com.", summary="host"
    )
    article_update(article=article, by=tina, title="VPN guide")
    # then
    versions = list(article.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.changed_by for v in versions] == [tina, nick, tina]
    assert versions[1].summary == "host"
    assert "-Connect." in versions[1].diff
    assert "+Connect to vpn.example.com." in versions[1].diff
    assert versions[2].title == "VPN guide"
    assert versions[0].body == "Start the client.\nConnect."


def test_customers_cannot_write_articles(alice):  # noqa: ANN001
    with pytest.raises(ApplicationError):
        article_create(by=alice, title="Mine", body="x")


def test_slugs_are_unique_and_never_shadow_help_routes(make_article):  # noqa: ANN001
    first = make_article(title="Suggest")
    second = make_article(title="Suggest")
    assert first.slug != "suggest"
    assert second.slug != first.slug
    with pytest.raises(ApplicationError):
        make_article(title="Other", slug=first.slug)


def test_article_from_resolved_ticket_is_a_linked_internal_draft(alice, tina, network_category):  # noqa: ANN001
    # given
    ticket = ticket_create(
        requester=alice, by=alice, subject="VPN drops every hour", description="Since Monday.",
        category=network_category,
    )  # fmt: skip
    ticket = ticket_resolve(ticket=ticket, by=tina, resolution="Switched GlobalProtect to SSL only.")
    # when
    article, created = article_from_ticket(ticket=ticket, by=tina)
    # then
    assert article.status == Article.Status.DRAFT
    assert article.visibility == Article.Visibility.INTERNAL
    assert article.title == "VPN drops every hour"
    assert "Since Monday." in article.body
    assert "Switched GlobalProtect to SSL only." in article.body
    assert list(article.categories.all()) == [network_category]
    assert ArticleTicketLink.objects.filter(article=article, ticket=ticket).exists()
    assert created
    assert article_from_ticket(ticket=ticket, by=tina) == (article, False)  # the same draft again


def test_article_from_open_ticket_is_refused(alice, tina):  # noqa: ANN001
    ticket = ticket_create(requester=alice, by=alice, subject="Printer", description="Jammed.")
    with pytest.raises(ApplicationError):
        article_from_ticket(ticket=ticket, by=tina)


def test_resolving_with_an_article_links_it(alice, tina, make_article):  # noqa: ANN001
    # given
    article = make_article(title="Print queue")
    ticket = ticket_create(requester=alice, by=alice, subject="Printer", description="Nothing prints.")
    # when
    ticket_resolve(ticket=ticket, by=tina, resolution="Cleared the queue.", article_id=article.pk)
    # then
    link = ArticleTicketLink.objects.get(article=article, ticket=ticket)
    assert link.linked_by == tina


def test_deflection_is_recorded(make_article, alice):  # noqa: ANN001
    article = make_article()
    deflection_record(session_key="abc", user=alice, article=article, query="printer")
    assert Deflection.objects.filter(article=article, session_key="abc", user=alice, query="printer").exists()


def test_canned_response_fills_placeholders_and_nothing_else(alice, tina):  # noqa: ANN001
    # given
    ticket = TicketFactory(requester=alice)
    canned = CannedResponse.objects.create(
        title="Hi",
        body="Hello {customer_name}, about {reference}: {unknown} {customer_name.__class__}. — {agent_name}",
    )
    # when
    text = canned_response_render(canned=canned, ticket=ticket, agent=tina)
    # then
    assert text == f"Hello Alice, about {ticket.reference}: {{unknown}} {{customer_name.__class__}}. — Tina"


def test_canned_response_sets_status_and_category_through_the_ticket_service(alice, tina):  # noqa: ANN001
    # given
    printing = CategoryFactory(name="Printing")
    ticket = ticket_create(requester=alice, by=alice, subject="Printer", description="Jammed.")
    canned = CannedResponse.objects.create(
        title="Ask", body="Which device, {customer_name}?", set_status="pending", set_category=printing
    )
    # when
    ticket, text = canned_response_apply(canned=canned, ticket=ticket, by=tina)
    # then
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert ticket.category == printing
    assert text == "Which device, Alice?"
    assert set(ticket.events.values_list("kind", flat=True)) >= {"status", "category"}


def test_checklist_ticks_are_saved_on_the_ticket_and_feed_the_handoff(alice, tina, network_category):  # noqa: ANN001
    # given
    checklist = Checklist.objects.create(category=network_category, title="VPN")
    steps = [
        ChecklistItem.objects.create(checklist=checklist, text=t, position=i) for i, t in enumerate("abc")
    ]
    ticket = TicketFactory(requester=alice, category=network_category)
    # when
    checklist_tick_set(ticket=ticket, item=steps[2], by=tina, ticked=True)
    checklist_tick_set(ticket=ticket, item=steps[0], by=tina, ticked=True)
    checklist_tick_set(ticket=ticket, item=steps[0], by=tina, ticked=True)  # twice: still one tick
    checklist_tick_set(ticket=ticket, item=steps[1], by=tina, ticked=False)
    # then
    assert ticked_steps(ticket) == ["a", "c"]
    assert ChecklistTick.objects.filter(ticket=ticket).count() == 2
    checklist_tick_set(ticket=ticket, item=steps[2], by=tina, ticked=False)
    assert ticked_steps(ticket) == ["a"]

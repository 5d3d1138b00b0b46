"""Merge, split and link: the services, and what arrives for a merged-away ticket afterwards."""

from __future__ import annotations

import pytest

from helpdesk.errors import ApplicationError, ConflictError
from notifications.models import Notification
from tickets import links, merge, services
from tickets.models import Message, Ticket, TicketEvent, TicketLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(alice, tina):  # noqa: ANN001, ANN201
    source = services.ticket_create(
        requester=alice, by=alice, subject="VPN again", description="Same as before"
    )
    target = services.ticket_create(requester=alice, by=alice, subject="VPN drops", description="Every 5 min")
    return source, target


def test_merge_closes_the_source_with_a_pointer_and_tells_the_customer_once(
    pair, tina, django_capture_on_commit_callbacks
):
    source, target = pair
    before = Notification.objects.filter(ticket=target, kind="reply").count()
    # when
    with django_capture_on_commit_callbacks():
        merge.ticket_merge(source=source, target=target, by=tina)
    # then
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.status, source.merged_into_id) == ("closed", target.pk)
    assert source.events.filter(kind="merged", field="merged_into", new_value=target.reference).exists()
    assert target.events.filter(kind="merged", field="merged_from", new_value=source.reference).exists()
    told = Notification.objects.filter(kind="reply", recipient=source.requester)
    assert told.count() - before == 1
    assert told.get().ticket_id == target.pk
    # no agent's response: the metrics' counters of the target stay as they were
    assert (target.public_reply_count, target.first_response_at) == (0, None)


def test_merge_refuses_itself_a_closed_target_and_other_customers_without_confirmation(alice, bob, tina):
    a = services.ticket_create(requester=alice, by=alice, subject="a", description="a")
    b = services.ticket_create(requester=bob, by=bob, subject="b", description="b")
    closed = services.ticket_create(requester=alice, by=alice, subject="c", description="c")
    services.ticket_close(ticket=closed, by=tina)
    with pytest.raises(ApplicationError, match="itself"):
        merge.ticket_merge(source=a, target=a, by=tina)
    with pytest.raises(ConflictError, match="closed"):
        merge.ticket_merge(source=a, target=closed, by=tina)
    with pytest.raises(ApplicationError, match="different customers"):
        merge.ticket_merge(source=a, target=b, by=tina)
    assert Ticket.objects.get(pk=a.pk).status == "new"
    # with the explicit confirmation, each customer is told once, on their own ticket
    merge.ticket_merge(source=a, target=b, by=tina, allow_other_customer=True)
    assert Notification.objects.filter(kind="reply", recipient=alice, ticket=a).count() == 1
    assert Notification.objects.filter(kind="reply", recipient=bob).count() == 0


def test_a_reply_to_the_merged_source_lands_on_the_target(pair, alice, tina):
    source, target = pair
    merge.ticket_merge(source=source, target=target, by=tina)
    message = services.message_add(ticket=source, author=alice, body="Still broken")
    assert message.ticket_id == target.pk
    assert Message.objects.filter(ticket=source, body="Still broken").count() == 0


def test_the_targets_timeline_shows_the_sources_messages_to_agents_and_their_own_customer(
    pair, alice, bob, tina
):
    from tickets.workspace import ticket_timeline

    source, target = pair
    services.message_add(ticket=source, author=tina, body="secret note", internal=True)
    services.message_add(ticket=source, author=alice, body="my first words")
    other = services.ticket_create(requester=bob, by=bob, subject="bob", description="bob's")
    services.message_add(ticket=other, author=bob, body="bob's words")
    merge.ticket_merge(source=source, target=target, by=tina)
    merge.ticket_merge(source=other, target=target, by=tina, allow_other_customer=True)
    agent_bodies = {e.obj.body for e in ticket_timeline(user=tina, ticket=target) if e.kind == "message"}
    customer = {
        e.obj.body: e.source_ref for e in ticket_timeline(user=alice, ticket=target) if e.kind == "message"
    }
    assert {"secret note", "my first words", "bob's words"} <= agent_bodies
    assert customer["my first words"] == source.reference
    assert "secret note" not in customer
    assert "bob's words" not in customer


def test_split_makes_a_new_ticket_linked_to_the_original(pair, alice, tina):
    _source, target = pair
    message = services.message_add(ticket=target, author=alice, body="Also my printer is broken")
    new = merge.message_split(message=message, by=tina, subject="Printer broken")
    assert (new.requester, new.description, new.subject) == (
        alice,
        "Also my printer is broken",
        "Printer broken",
    )
    assert TicketLink.objects.filter(source=new, target=target, kind="related").exists()
    assert target.events.filter(kind="split", new_value=new.reference).exists()
    with pytest.raises(ApplicationError):
        merge.message_split(message=message, by=tina, subject="  ")


def test_links_show_on_both_sides_with_their_own_wording(pair, tina):
    a, b = pair
    links.link_create(source=a, target=b, kind="duplicate", by=tina)
    visible = Ticket.objects.all()
    assert [(str(s.label), s.other.pk) for s in links.ticket_links(ticket=a, visible=visible)] == [
        ("Duplicate of", b.pk)
    ]
    assert [(str(s.label), s.other.pk) for s in links.ticket_links(ticket=b, visible=visible)] == [
        ("Duplicated by", a.pk)
    ]
    assert TicketEvent.objects.filter(kind="linked", ticket__in=[a, b]).count() == 2
    # the same link twice is one link
    links.link_create(source=a, target=b, kind="duplicate", by=tina)
    assert TicketLink.objects.count() == 1


def test_parent_links_refuse_circles_second_parents_self_and_other_customers(alice, bob, tina):
    t = [
        services.ticket_create(requester=alice, by=alice, subject=f"t{i}", description="d") for i in range(3)
    ]
    links.link_create(source=t[0], target=t[1], kind="parent", by=tina)
    links.link_create(source=t[1], target=t[2], kind="parent", by=tina)
    with pytest.raises(ApplicationError, match="circle"):
        links.link_create(source=t[2], target=t[0], kind="parent", by=tina)
    with pytest.raises(ApplicationError, match="already has a parent"):
        links.link_create(source=t[0], target=t[2], kind="parent", by=tina)
    with pytest.raises(ApplicationError, match="itself"):
        links.link_create(source=t[0], target=t[0], kind="related", by=tina)
    theirs = services.ticket_create(requester=bob, by=bob, subject="b", description="b")
    with pytest.raises(ApplicationError, match="different customers"):
        links.link_create(source=t[0], target=theirs, kind="related", by=tina)
    links.link_create(source=t[0], target=theirs, kind="related", by=tina, allow_other_customer=True)


def test_resolving_a_parent_resolves_the_chosen_open_children(alice, tina):
    parent, c1, c2 = (
        services.ticket_create(requester=alice, by=alice, subject=s, description="d") for s in "pab"
    )
    for child in (c1, c2):
        links.link_create(source=parent, target=child, kind="parent", by=tina)
    assert list(links.open_children(ticket=parent)) == [c1, c2]
    services.ticket_resolve(ticket=parent, by=tina, resolution="Router replaced")
    done = links.children_resolve(parent=parent, by=tina, resolution="Router replaced", ids=[c1.pk])
    assert [t.pk for t in done] == [c1.pk]
    assert Ticket.objects.get(pk=c1.pk).status == "resolved"
    assert Ticket.objects.get(pk=c2.pk).status == "new"

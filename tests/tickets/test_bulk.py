"""Bulk actions: the registry, the runner (chunks, skips, failures), placeholders, jobs."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from helpdesk.errors import ApplicationError
from notifications.models import Notification
from tickets import bulk, services
from tickets.models import BulkJob, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(alice, bob, service_desk):  # noqa: ANN001, ANN201
    return [
        services.ticket_create(
            requester=alice if i % 2 else bob, by=alice, subject=f"Printer {i}", description="d"
        )
        for i in range(5)
    ]


def test_set_status_changes_each_ticket_with_one_event_and_reports_the_skipped(tickets, tina, settings):
    services.ticket_close(ticket=tickets[0], by=tina)
    services.ticket_update(ticket=tickets[1], by=tina, status="pending")
    # when
    result = bulk.bulk_run(
        actor=tina, action="status", params={"status": "pending"}, ids=[t.pk for t in tickets]
    )
    # then
    assert result.changed == 3
    assert sorted((s["id"], s["code"]) for s in result.skipped) == [
        (tickets[0].pk, "closed"),
        (tickets[1].pk, "unchanged"),
    ]
    assert result.as_dict()["summary"] == "3 changed, 2 skipped: closed (1), already set (1)"
    for t in tickets[2:]:
        assert Ticket.objects.get(pk=t.pk).status == "pending"
        assert (
            TicketEvent.objects.filter(ticket=t, kind="status", actor=tina, new_value="pending").count() == 1
        )
    # notifications as if done one by one: each requester is asked to reply, once per ticket
    assert Notification.objects.filter(kind="waiting", ticket__in=tickets[2:]).count() == 3


def test_one_failing_ticket_is_reported_and_the_rest_applied(tickets, tina, monkeypatch):
    original = services.ticket_changes_stage

    def flaky(ticket, **kwargs):  # noqa: ANN001, ANN003, ANN202 - a failure on one ticket
        if ticket.pk == tickets[2].pk:
            raise ApplicationError("The printer caught fire.")
        return original(ticket, **kwargs)

    # both ways fail on it: the chunk set-based (then rolled back), and the ticket on its own
    monkeypatch.setattr(services, "ticket_changes_stage", flaky)
    result = bulk.bulk_run(
        actor=tina, action="priority", params={"priority": "P1"}, ids=[t.pk for t in tickets]
    )
    assert result.changed == 4
    assert result.failed == [
        {"id": tickets[2].pk, "reference": tickets[2].reference, "reason": "The printer caught fire."}
    ]
    assert Ticket.objects.get(pk=tickets[2].pk).priority == "P3"
    assert Ticket.objects.filter(priority="P1").count() == 4


def test_small_chunks_give_the_same_result(tickets, tina, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_CHUNK", 2)
    result = bulk.bulk_run(
        actor=tina, action="assignee", params={"assignee": tina.pk}, ids=[t.pk for t in tickets]
    )
    assert result.changed == 5
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {tina.pk}


def test_tags_are_added_and_removed(tickets, tina):
    services.ticket_update(ticket=tickets[0], by=tina, tags=["old", "keep"])
    result = bulk.bulk_run(
        actor=tina,
        action="tags",
        params={"add": ["Printer"], "remove": ["old"]},
        ids=[tickets[0].pk, tickets[1].pk],
    )
    assert result.changed == 2
    assert sorted(tickets[0].tags.values_list("name", flat=True)) == ["keep", "printer"]
    assert list(tickets[1].tags.values_list("name", flat=True)) == ["printer"]


def test_public_reply_renders_the_placeholders_per_ticket_as_plain_text(alice, tina, service_desk):
    alice.last_name = "Liddell"
    alice.save()
    t = services.ticket_create(requester=alice, by=alice, subject="<b>{agent_name}</b>", description="d")
    bulk.bulk_run(
        actor=tina,
        action="reply",
        params={"body": "Hello {requester_name}, about {reference} ({subject}). {agent_name}"},
        ids=[t.pk],
    )
    body = Message.objects.get(ticket=t).body
    assert body == f"Hello Alice Liddell, about {t.reference} (<b>{{agent_name}}</b>). {tina.get_full_name()}"


def test_unknown_placeholders_and_bad_params_are_field_errors(tina):
    with pytest.raises(serializers.ValidationError) as e:
        bulk.bulk_validate(action="reply", params={"body": "Hi {password}"})
    assert "body" in e.value.detail
    with pytest.raises(serializers.ValidationError) as e:
        bulk.bulk_validate(action="status", params={"status": "resolved"})
    assert "resolution" in e.value.detail
    with pytest.raises(serializers.ValidationError) as e:
        bulk.bulk_validate(action="explode", params={})
    assert "action" in e.value.detail


def test_bulk_merge_merges_all_into_the_target_and_skips_other_customers(tickets, tina):
    target = tickets[1]  # alice's
    result = bulk.bulk_run(
        actor=tina, action="merge", params={"target": target.pk}, ids=[t.pk for t in tickets]
    )
    alices = [t.pk for t in tickets if t.requester.username == "alice" and t.pk != target.pk]
    assert set(Ticket.objects.filter(merged_into=target).values_list("pk", flat=True)) == set(alices)
    codes = sorted(s["code"] for s in result.skipped)
    assert codes == ["other_customer"] * 3 + ["target"]


def test_another_app_can_register_an_action(tickets, tina):
    class Params(serializers.Serializer):
        word = serializers.CharField()

    def apply(ticket, actor, params):  # noqa: ANN001, ANN202
        if ticket.pk == tickets[0].pk:
            return bulk.Skip("mine", "not this one")
        services.message_add(ticket=ticket, author=actor, body=params["word"], internal=True)
        return None

    bulk.bulk_action_register(bulk.BulkAction("test_word", "Word", Params, apply))
    try:
        result = bulk.bulk_run(
            actor=tina, action="test_word", params={"word": "hi"}, ids=[t.pk for t in tickets]
        )
    finally:
        del bulk.bulk_actions["test_word"]
    assert result.changed == 4
    assert result.skipped[0]["reason"] == "not this one"


def test_a_large_selection_becomes_a_job_enqueued_on_commit_that_runs_once(
    tickets, tina, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk, "BULK_INLINE_MAX", 2)
    monkeypatch.setattr(bulk, "BULK_CHUNK", 2)
    with django_capture_on_commit_callbacks() as callbacks:
        job = bulk.bulk_submit(
            actor=tina, action="priority", params={"priority": "P2"}, ids=[t.pk for t in tickets]
        )
    assert isinstance(job, BulkJob)
    assert len(callbacks) == 1
    assert Ticket.objects.filter(priority="P2").count() == 0
    # the worker's loop, twice (a redelivered task): the second run finds the job done
    while bulk.bulk_job_step(job_id=str(job.pk)):
        pass
    assert not bulk.bulk_job_step(job_id=str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.done, job.changed) == ("done", 5, 5)
    assert TicketEvent.objects.filter(kind="priority", new_value="P2").count() == 5


def test_a_chunks_notifications_are_written_and_enqueued_once(
    tickets, tina, nick, django_capture_on_commit_callbacks
):
    # given: the same change one by one writes one outbox row and one enqueue per ticket
    with django_capture_on_commit_callbacks() as one_by_one:
        services.ticket_update(ticket=tickets[0], by=nick, assignee=tina)
    assert len(one_by_one) == 1
    # when: in bulk
    with django_capture_on_commit_callbacks() as batched:
        result = bulk.bulk_run(
            actor=nick, action="assignee", params={"assignee": tina.pk}, ids=[t.pk for t in tickets]
        )
    # then: the same mails, one enqueue for the chunk
    assert result.changed == 4
    assert Notification.objects.filter(kind="assigned", recipient=tina).count() == 5
    assert len(batched) == 1


@pytest.mark.parametrize("action", ["assignee", "status"])
def test_mails_of_a_bulk_chunk_read_exactly_as_those_rendered_one_by_one(
    alice, tina, nick, service_desk, action
):
    from notifications.services import _display_name, notification_render

    alice.language = "de"
    alice.save()
    subjects = ['Drucker <b>"kaputt"</b> & mehr', "VPN"]
    tickets = [
        services.ticket_create(requester=alice, by=alice, subject=s, description="d") for s in subjects
    ]
    params = {"assignee": {"assignee": tina.pk}, "status": {"status": "pending"}}[action]
    bulk.bulk_run(actor=nick, action=action, params=params, ids=[t.pk for t in tickets])
    kind = {"assignee": "assigned", "status": "waiting"}[action]
    for ticket in tickets:
        ticket.refresh_from_db()
        mail = Notification.objects.get(ticket=ticket, kind=kind)
        _lang, subject, text, html = notification_render(
            kind=kind, ticket=ticket, recipient=mail.recipient, event=mail.event
        )
        assert (mail.subject, mail.body_text, mail.body_html) == (subject, text, html)
        assert _display_name(mail.recipient) in mail.body_text


def test_a_chunk_that_fails_half_way_leaves_no_mails_for_the_next(tickets, tina, nick, monkeypatch):
    from notifications import services as notification_services

    original = notification_services.notifications_for_batch
    calls = []

    def fail_once(*, batch):  # noqa: ANN001, ANN202 - the first chunk's batch breaks after its rows were planned
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("broker of thoughts")
        return original(batch=batch)

    monkeypatch.setattr("notifications.receivers.notifications_for_batch", fail_once)
    result = bulk.bulk_run(
        actor=nick, action="assignee", params={"assignee": tina.pk}, ids=[t.pk for t in tickets]
    )
    # the chunk went ticket by ticket instead: all assigned, each mail once
    assert result.changed == 5
    assert Notification.objects.filter(kind="assigned", recipient=tina).count() == 5
    # and the next chunk writes nothing of the failed one (its events were rolled back)
    again = bulk.bulk_run(
        actor=nick, action="priority", params={"priority": "P1"}, ids=[t.pk for t in tickets]
    )
    assert again.changed == 5
    assert Notification.objects.filter(kind="assigned", recipient=tina).count() == 5


def test_bulk_merge_tells_the_customer_once_for_the_chunk(alice, tina, service_desk):
    target = services.ticket_create(requester=alice, by=alice, subject="VPN", description="d")
    dups = [
        services.ticket_create(requester=alice, by=alice, subject=f"VPN {i}", description="d")
        for i in range(3)
    ]
    before = Notification.objects.filter(kind="reply", recipient=alice).count()
    result = bulk.bulk_run(actor=tina, action="merge", params={"target": target.pk}, ids=[t.pk for t in dups])
    assert result.changed == 3
    told = Message.objects.filter(ticket=target, system=True)
    assert told.count() == 1
    assert all(d.reference in told.get().body for d in dups)
    assert Notification.objects.filter(kind="reply", recipient=alice).count() - before == 1


@pytest.mark.parametrize("n", [3, 12])
def test_bulk_assignment_follows_as_one_by_one_with_a_fixed_number_of_queries(
    alice, tina, nick, service_desk, n, django_assert_max_num_queries
):
    """The assignee follows each ticket (one INSERT for the chunk), except one they unfollowed before;
    a follower who is there already hears of the assignment as one by one."""
    from notifications.inbox import ticket_follow, ticket_unfollow
    from notifications.models import InAppNotification, TicketFollower

    tickets = [
        services.ticket_create(requester=alice, by=alice, subject=f"T{i}", description="d") for i in range(n)
    ]
    ticket_unfollow(ticket=tickets[0], user=tina)
    ticket_follow(ticket=tickets[1], user=nick)
    with django_assert_max_num_queries(18):  # the same for 3 and for 12 tickets
        result = bulk.bulk_run(
            actor=nick, action="assignee", params={"assignee": tina.pk}, ids=[t.pk for t in tickets]
        )
    assert result.changed == n
    rows = {r.ticket_id: r for r in TicketFollower.objects.filter(user=tina)}
    assert rows[tickets[0].pk].following is False  # an unfollow is kept
    assert all(rows[t.pk].following and rows[t.pk].reason == "assigned" for t in tickets[1:])
    # nick made the change himself: he is told nothing of it
    assert not InAppNotification.objects.filter(recipient=nick).exists()

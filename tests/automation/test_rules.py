"""Automation rules as services: events, conditions, loop protection, checks on save, time sweep, dry run."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from automation import receivers, services
from automation.models import Rule, Run
from automation.services import RuleInvalid
from notifications.models import Notification
from tickets import services as ts
from tickets.events import history_replay
from tickets.models import Message, Ticket
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_rules(django_capture_on_commit_callbacks):  # noqa: ANN001, ANN201
    """Run what happens at commit (the rules run right after the change commits)."""

    @contextmanager
    def run():  # noqa: ANN202
        # Events recorded before (fixtures) wait in a batch of the test's never-committed transaction;
        # start afresh so the block's events are the ones run at its end.
        receivers._state.batch = None
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return run


def test_created_rule_tags_and_prioritises_matching_tickets(make_rule, alice, network_category, run_rules):
    rule = make_rule(
        trigger="created",
        conditions=[{"field": "text", "op": "contains", "value": "outage"}],
        actions=[{"type": "set_priority", "value": "P1"}, {"type": "add_tags", "value": ["outage"]}],
    )
    with run_rules():
        hit = ts.ticket_create(
            requester=alice, by=alice, subject="Total OUTAGE", description="x", category=network_category
        )
        miss = ts.ticket_create(
            requester=alice, by=alice, subject="Printer", description="x", category=network_category
        )
    hit.refresh_from_db()
    miss.refresh_from_db()
    assert (hit.priority, list(hit.tags.values_list("name", flat=True))) == ("P1", ["outage"])
    assert miss.priority == "P3"
    run = Run.objects.get(ticket=hit)
    assert (run.rule, run.outcome, run.depth) == (rule, "applied", 0)
    # the rule's change is the system's (no actor) and recorded as usual
    assert hit.events.get(kind="priority").actor is None


def test_customer_reply_rule_fires_only_for_the_customers_messages(make_rule, ticket, tina, run_rules):
    make_rule(trigger="customer_replied", actions=[{"type": "add_tags", "value": ["customer-waiting"]}])
    with run_rules():
        ts.message_add(ticket=ticket, author=tina, body="We look into it.")
    assert not ticket.tags.exists()
    with run_rules():
        ts.message_add(ticket=ticket, author=ticket.requester, body="Still broken.")
    assert list(ticket.tags.values_list("name", flat=True)) == ["customer-waiting"]


def test_history_replay_fires_no_rule(make_rule, alice, run_rules):
    make_rule(trigger="created", actions=[{"type": "add_tags", "value": ["seen"]}])
    with run_rules(), history_replay():
        t = ts.ticket_create(requester=alice, by=alice, subject="Old", description="From the import")
    assert not t.tags.exists()
    assert not Run.objects.exists()


def test_a_failing_rule_is_logged_and_leaves_the_change_and_other_rules(make_rule, ticket, tina, run_rules):
    make_rule(
        name="Close",
        trigger="updated",
        conditions=[{"field": "priority", "op": "in", "value": ["P1"]}],
        actions=[{"type": "set_status", "value": "closed"}, {"type": "note", "body": "closed by rule"}],
    )
    make_rule(
        name="Tag",
        trigger="updated",
        conditions=[{"field": "priority", "op": "in", "value": ["P1"]}],
        actions=[{"type": "add_tags", "value": ["urgent"]}],
    )
    with run_rules():
        ts.ticket_update(ticket=ticket, by=tina, priority="P1")
    ticket.refresh_from_db()
    # both rules ran in order; the second still sees the ticket (closed by the first) and tags it
    assert ticket.status == "closed"
    assert ticket.priority == "P1"
    assert [r.name for r in Run.objects.order_by("id")][:2] == ["Close", "Tag"]


def test_rule_failure_rolls_back_only_that_rule(make_rule, ticket, tina, engineering, run_rules):
    make_rule(
        name="Bad team",
        trigger="updated",
        actions=[{"type": "add_tags", "value": ["x"]}, {"type": "set_team", "value": engineering.pk}],
    )
    with run_rules():
        ts.ticket_update(ticket=ticket, by=tina, priority="P2")
    ticket.refresh_from_db()
    assert ticket.priority == "P2"
    assert not ticket.tags.exists()
    run = Run.objects.get()
    assert run.outcome == "failed"
    assert "tier" in run.error


def test_a_rule_never_reacts_to_its_own_change(make_rule, ticket, tina, run_rules):
    rule = make_rule(trigger="updated", actions=[{"type": "add_tags", "value": ["touched"]}])
    with run_rules():
        ts.ticket_update(ticket=ticket, by=tina, priority="P2")
    runs = list(Run.objects.filter(rule=rule).order_by("id").values_list("outcome", "depth"))
    # fired on the agent's change; its own tag change came back to it and was stopped
    assert runs == [("applied", 0), ("loop", 1)]
    assert list(ticket.tags.values_list("name", flat=True)) == ["touched"]


def test_a_chain_of_rules_stops_at_the_depth_limit(make_rule, ticket, tina, run_rules, monkeypatch):
    monkeypatch.setattr(services, "MAX_CHAIN_DEPTH", 2)
    # in this order, only A matches the agent's change; B reacts to A's change, C to B's
    make_rule(
        name="C",
        trigger="updated",
        conditions=[{"field": "tags", "op": "has_any", "value": ["b"]}],
        actions=[{"type": "add_tags", "value": ["c"]}],
    )
    make_rule(
        name="B",
        trigger="updated",
        conditions=[{"field": "tags", "op": "has_any", "value": ["a"]}],
        actions=[{"type": "add_tags", "value": ["b"]}],
    )
    make_rule(
        name="A",
        trigger="updated",
        conditions=[{"field": "priority", "op": "in", "value": ["P2"]}],
        actions=[{"type": "add_tags", "value": ["a"]}],
    )
    with run_rules():
        ts.ticket_update(ticket=ticket, by=tina, priority="P2")
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["a", "b"]
    assert Run.objects.filter(name="C", outcome="depth").exists()


def test_rules_that_would_start_each_other_are_refused_with_the_reason(make_rule):
    make_rule(
        name="Up",
        trigger="updated",
        conditions=[{"field": "priority", "op": "in", "value": ["P2"]}],
        actions=[{"type": "set_priority", "value": "P1"}],
    )
    with pytest.raises(RuleInvalid) as exc:
        make_rule(
            name="Down",
            trigger="updated",
            conditions=[{"field": "priority", "op": "in", "value": ["P1"]}],
            actions=[{"type": "set_priority", "value": "P2"}],
        )
    assert "“Down” → “Up” → “Down”" in exc.value.errors["actions"][0]
    # the same pair, one of them unable to match what the other sets, is fine
    make_rule(
        name="Down only P1 with tag",
        trigger="updated",
        conditions=[{"field": "priority", "op": "in", "value": ["P3"]}],
        actions=[{"type": "set_priority", "value": "P2"}],
    )


def test_a_rule_that_escalates_on_escalation_is_refused(make_rule):
    with pytest.raises(RuleInvalid, match="start itself"):
        make_rule(
            trigger="escalated",
            actions=[
                {
                    "type": "escalate",
                    "reason": "other",
                    "summary": "Escalated again by rule",
                    "steps_taken": "Nothing at all yet",
                }
            ],
        )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {
                "trigger": "customer_replied",
                "conditions": [{"field": "status", "op": "in", "value": ["closed"]}],
            },
            "status",
        ),
        (
            {
                "trigger": "time",
                "since": "pending",
                "hours": 72,
                "conditions": [{"field": "status", "op": "in", "value": ["open"]}],
            },
            "status",
        ),
        (
            {
                "trigger": "updated",
                "conditions": [
                    {"field": "priority", "op": "in", "value": ["P1"]},
                    {"field": "priority", "op": "not_in", "value": ["P1"]},
                ],
            },
            "Priority",
        ),
        ({"trigger": "created", "conditions": [{"field": "tier", "op": "in", "value": [3]}]}, "Tier"),
        (
            {
                "trigger": "updated",
                "conditions": [
                    {"field": "tags", "op": "has_any", "value": ["a"]},
                    {"field": "tags", "op": "has_none", "value": ["a"]},
                ],
            },
            "tags",
        ),
    ],
)
def test_a_rule_that_can_never_match_is_refused(make_rule, fields, reason):
    with pytest.raises(RuleInvalid) as exc:
        make_rule(actions=[{"type": "add_tags", "value": ["x"]}], **fields)
    assert "can never match" in exc.value.errors["conditions"][0]
    assert reason in exc.value.errors["conditions"][0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"trigger": "sometimes"}, "trigger"),
        ({"trigger": "time", "since": "pending"}, "hours"),
        ({"trigger": "time", "since": "forever", "hours": 3}, "since"),
        (
            {"trigger": "updated", "conditions": [{"field": "password", "op": "in", "value": ["x"]}]},
            "conditions",
        ),
        (
            {"trigger": "updated", "conditions": [{"field": "team", "op": "in", "value": [99999]}]},
            "conditions",
        ),
        ({"trigger": "updated", "actions": [{"type": "webhook", "webhook": 99999}]}, "actions"),
        (
            {
                "trigger": "updated",
                "actions": [
                    {"type": "send_mail", "to": "address", "address": "nope", "subject": "s", "body": "b"}
                ],
            },
            "actions",
        ),
        ({"trigger": "updated", "name": " "}, "name"),
    ],
)
def test_bad_rule_input_names_the_field_and_saves_nothing(make_rule, fields, field):
    fields.setdefault("actions", [{"type": "add_tags", "value": ["x"]}])
    with pytest.raises(RuleInvalid) as exc:
        make_rule(**fields)
    assert field in exc.value.errors
    assert not Rule.objects.exists()


def test_send_mail_and_webhook_go_through_the_outboxes(make_rule, ticket, tina, run_rules, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    hook = Webhook.objects.create(url="http://127.0.0.1:9/hook", events=["ticket.created"])
    make_rule(
        trigger="sla_breach",
        actions=[
            {
                "type": "send_mail",
                "to": "address",
                "address": "boss@example.com",
                "subject": "Breach on {reference}",
                "body": "{subject} breached its SLA.",
            },
            {"type": "webhook", "webhook": hook.pk},
        ],
    )
    from sla.models import SlaPolicy  # noqa: F401 - the breach below is recorded the way the sweep does
    from tickets.events import event_record_many

    with run_rules():
        event_record_many(kind="sla_breach", entries=[(ticket, {"target": "resolution", "tier": 1})])
    mail = Notification.objects.get(kind="rule")
    assert mail.address == "boss@example.com"
    assert mail.subject == f"[{ticket.reference}] Breach on {ticket.reference}"
    assert "VPN drops every few minutes breached" in mail.body_text
    delivery = Delivery.objects.get(webhook=hook, event="rule.fired")
    assert delivery.payload["ticket"]["reference"] == ticket.reference


def test_time_rule_closes_tickets_resolved_for_7_days_once(make_rule, ticket, tina, alice):
    rule = make_rule(
        trigger="time", since="resolved", hours=7 * 24, actions=[{"type": "set_status", "value": "closed"}]
    )
    recent = ts.ticket_create(requester=alice, by=alice, subject="Recent", description="x")
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        ts.ticket_resolve(ticket=ticket, by=tina, resolution="Fixed the VPN profile")
    ts.ticket_resolve(ticket=recent, by=tina, resolution="Done right now")
    assert services.rules_time_sweep() == {rule.pk: 1}
    assert services.rules_time_sweep() == {rule.pk: 0}  # once per ticket and resolution
    ticket.refresh_from_db()
    recent.refresh_from_db()
    assert (ticket.status, recent.status) == ("closed", "resolved")
    assert Run.objects.get(rule=rule).anchor is not None


def test_time_rule_pending_for_3_days_fires_again_after_the_next_pending(make_rule, ticket, tina):
    rule = make_rule(
        trigger="time", since="pending", hours=72, actions=[{"type": "note", "body": "Reminder sent"}]
    )
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        ts.ticket_update(ticket=ticket, by=tina, status="pending")
    assert services.rules_time_sweep()[rule.pk] == 1
    assert services.rules_time_sweep()[rule.pk] == 0
    assert Message.objects.filter(ticket=ticket, internal=True, system=True).count() == 1


def test_time_sweep_is_one_query_per_batch_not_per_ticket(
    make_rule, alice, tina, django_assert_max_num_queries
):
    make_rule(
        trigger="time",
        since="pending",
        hours=1,
        conditions=[{"field": "priority", "op": "in", "value": ["P1"]}],
        actions=[{"type": "add_tags", "value": ["late"]}],
    )
    with time_machine.travel(timezone.now() - timedelta(hours=5)):
        for i in range(30):
            t = ts.ticket_create(requester=alice, by=alice, subject=f"T{i}", description="x")
            ts.ticket_update(ticket=t, by=tina, status="pending")
    # nothing is due (no P1): the sweep asks the database once per rule, whatever the number of tickets
    with django_assert_max_num_queries(4):
        assert list(services.rules_time_sweep().values()) == [0]


def test_business_hours_condition_uses_the_sla_calendar(make_rule, alice, run_rules):
    from sla import demo

    calendar = demo.business_hours_calendar()  # Mon–Fri 08:00–17:00 Berlin
    make_rule(
        trigger="created",
        conditions=[{"field": "business_hours", "op": "outside", "value": calendar.pk}],
        actions=[{"type": "add_tags", "value": ["after-hours"]}],
    )
    with (
        time_machine.travel(datetime(2026, 11, 18, 21, 0, tzinfo=UTC)),
        run_rules(),
    ):  # Wednesday 22:00 Berlin
        night = ts.ticket_create(requester=alice, by=alice, subject="Night", description="x")
    with time_machine.travel(datetime(2026, 11, 18, 9, 0, tzinfo=UTC)), run_rules():  # Wednesday 10:00 Berlin
        day = ts.ticket_create(requester=alice, by=alice, subject="Day", description="x")
    assert list(night.tags.values_list("name", flat=True)) == ["after-hours"]
    assert not day.tags.exists()


def test_dry_run_lists_recent_tickets_and_changes_nothing(alice, tina):
    old = ts.ticket_create(requester=alice, by=alice, subject="Old refund", description="x")
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    old.events.update(created_at=timezone.now() - timedelta(days=30))
    hit = ts.ticket_create(requester=alice, by=alice, subject="Refund please", description="x")
    ts.ticket_create(requester=alice, by=alice, subject="Other", description="x")
    draft = services.rule_draft(
        name="Refunds",
        trigger="created",
        conditions=[{"field": "text", "op": "contains", "value": "refund"}],
        actions=[{"type": "set_priority", "value": "P1"}],
    )
    hits, total = services.rule_dry_run(draft)
    assert [h.ticket for h in hits] == [hit]
    assert total == 1
    hit.refresh_from_db()
    assert hit.priority == "P3"
    assert not Run.objects.exists()


def test_time_rules_in_history_act_but_mail_nobody(make_rule, ticket, tina):
    make_rule(
        trigger="time",
        since="pending",
        hours=72,
        actions=[
            {"type": "add_tags", "value": ["reminded"]},
            {"type": "send_mail", "to": "requester", "subject": "Waiting", "body": "Please reply."},
        ],
    )
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        ts.ticket_update(ticket=ticket, by=tina, status="pending")
    with history_replay():
        services.rules_time_sweep()
    assert list(ticket.tags.values_list("name", flat=True)) == ["reminded"]
    assert not Notification.objects.filter(kind="rule").exists()


def test_demo_macros_and_rules_seed_once(sam):
    from automation import demo

    assert demo.seed() == {"macros": 3, "rules": 5}
    assert demo.seed() == {"macros": 0, "rules": 0}


def test_a_change_of_several_fields_starts_an_updated_rule_once(make_rule, ticket, tina, run_rules):
    make_rule(trigger="updated", actions=[{"type": "note", "body": "Changed: please check the routing"}])
    with run_rules():
        ts.ticket_update(ticket=ticket, by=tina, priority="P1", status="open", tags=["a", "b"])
    assert Message.objects.filter(ticket=ticket, internal=True).count() == 1

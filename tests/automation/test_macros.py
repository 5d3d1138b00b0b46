"""Macros as a service: validation, visibility, and applying one to a (locked) ticket."""

from __future__ import annotations

import pytest
from django.db import transaction

from automation import services
from automation.actions import ActionsInvalid
from automation.models import Run
from helpdesk.errors import ApplicationError
from knowledgebase.models import CannedResponse
from tickets import services as ts
from tickets.models import Message, TicketEvent

pytestmark = pytest.mark.django_db


def test_apply_macro_sets_fields_tags_reply_and_note_through_the_services(ticket, tina):
    # given a macro with fields, tags, a reply with placeholders and a note
    canned = CannedResponse.objects.create(title="VPN", body="Hello {customer_name}, about {reference}:")
    macro = services.macro_save(
        user=tina,
        name="VPN known issue",
        actions=[
            {"type": "set_priority", "value": "P2"},
            {"type": "set_assignee", "value": "me"},
            {"type": "add_tags", "value": ["vpn", "Known-Issue"]},
            {"type": "reply", "canned": canned.pk, "body": "Please restart the client."},
            {"type": "note", "body": "Applied by {agent_name}"},
        ],
    )
    # when tina applies it inside a transaction that already holds the ticket's lock
    with transaction.atomic():
        locked = ts.ticket_lock(pk=ticket.pk)
        run = services.apply_macro(locked, macro, tina)
    # then every action went through the ticket services
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.status) == ("P2", tina, "open")
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["known-issue", "vpn"]
    reply = Message.objects.get(ticket=ticket, internal=False, by_agent=True)
    assert reply.body == f"Hello Alice, about {ticket.reference}:\n\nPlease restart the client."
    assert reply.author == tina
    assert ticket.first_response_at is not None
    assert ticket.public_reply_count == 1
    note = Message.objects.get(ticket=ticket, internal=True)
    assert note.body.startswith("Applied by Tina")
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert {"priority", "assignee", "tags", "message", "note"} <= set(kinds)
    assert TicketEvent.objects.filter(ticket=ticket, kind="message", actor=tina).exists()
    assert run.outcome == Run.Outcome.APPLIED
    assert run.macro == macro
    assert run.actor == tina


def test_macro_escalates_with_its_handoff_template(ticket, tina, network_team):
    macro = services.macro_save(
        user=tina,
        name="To network",
        actions=[
            {
                "type": "escalate",
                "reason": "needs_expertise",
                "summary": "VPN for {customer_name} keeps dropping",
                "steps_taken": "Restarted the client, checked the account",
            }
        ],
    )
    with transaction.atomic():
        services.apply_macro(ticket, macro, tina)
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team) == (2, network_team)
    escalation = ticket.escalations.get()
    assert escalation.summary.startswith("VPN for Alice")
    assert escalation.created_by == tina


def test_a_macro_that_cannot_apply_changes_nothing(ticket, tina, engineering):
    # a team of tier 3 cannot take a tier-1 ticket: the whole macro is undone, the reply too
    macro = services.macro_save(
        user=tina,
        name="Broken",
        actions=[{"type": "reply", "body": "We are on it."}, {"type": "set_team", "value": engineering.pk}],
    )
    with pytest.raises(ApplicationError), transaction.atomic():
        services.apply_macro(ticket, macro, tina)
    assert not Message.objects.filter(ticket=ticket).exists()
    assert not Run.objects.exists()


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ([], "Add at least one action."),
        ([{"type": "explode"}], "unknown action"),
        ([{"type": "set_status", "value": "resolved"}], "choose one of"),
        ([{"type": "set_priority", "value": "P9"}], "choose one of"),
        ([{"type": "reply", "body": "Hi {customer_nam}"}], "Unknown placeholder {customer_nam}"),
        ([{"type": "send_mail", "to": "requester", "subject": "x", "body": "y"}], "only automation rules"),
        (
            [{"type": "escalate", "reason": "needs_expertise", "summary": "short", "steps_taken": "x"}],
            "too short",
        ),
        ([{"type": "set_assignee", "value": 999999}], "choose an active agent"),
        ([{"type": "set_priority", "value": "P1"}, {"type": "set_priority", "value": "P2"}], "given twice"),
        ("not a list", "Add at least one action."),
    ],
)
def test_bad_actions_are_refused_with_the_reason(tina, actions, message):
    with pytest.raises(ActionsInvalid) as exc:
        services.macro_save(user=tina, name="Bad", actions=actions)
    assert any(message in e for e in exc.value.errors), exc.value.errors


def test_only_supervisors_share_and_agents_see_their_own_and_shared(tina, nick, sam):
    mine = services.macro_save(user=tina, name="Mine", actions=[{"type": "add_tags", "value": ["a"]}])
    shared = services.macro_save(
        user=sam, name="Team", shared=True, actions=[{"type": "add_tags", "value": ["b"]}]
    )
    with pytest.raises(ApplicationError):
        services.macro_save(
            user=tina, name="Sneaky", shared=True, actions=[{"type": "add_tags", "value": ["c"]}]
        )
    with pytest.raises(ApplicationError):
        services.macro_save(user=tina, macro=shared, name="Changed", actions=shared.actions)
    assert set(services.macro_visible_qs(user=nick)) == {shared}
    assert set(services.macro_visible_qs(user=tina)) == {mine, shared}

"""The browser pages over HTTP: the picker and log on the ticket page, the macro and rule pages."""

from __future__ import annotations

import pytest

from automation import services
from automation.models import Macro, Rule, Run

pytestmark = pytest.mark.django_db


def test_ticket_page_shows_the_picker_and_the_log(
    client_as, tina, nick, sam, ticket, django_assert_max_num_queries
):
    macro = services.macro_save(
        user=tina, name="Ask for logs", actions=[{"type": "set_status", "value": "pending"}]
    )
    c = client_as(tina)
    c.post(f"/agent/tickets/{ticket.pk}/macros/{macro.pk}/apply/", {"version": ticket.version})
    with django_assert_max_num_queries(80) as few:
        r = c.get(f"/agent/tickets/{ticket.pk}/")
    html = r.content.decode()
    assert 'data-shortcut="m"' in html
    assert "Ask for logs" in html
    assert 'id="automation-log"' in html
    assert "Set status: Pending" in html
    # more macros and log entries naming other people: the page asks the database no more often
    for i, agent in enumerate([tina, nick, sam] * 3):
        services.macro_save(
            user=sam,
            name=f"Shared {i}",
            shared=True,
            actions=[{"type": "set_assignee", "value": agent.pk}, {"type": "add_tags", "value": ["x"]}],
        )
        Run.objects.create(
            ticket=ticket,
            name=f"Rule {i}",
            outcome="applied",
            changes=[{"type": "set_assignee", "value": agent.pk}],
        )
    with django_assert_max_num_queries(80) as many:
        html = c.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Shared 8" in html
    assert "Rule 8" in html
    assert len(many.captured_queries) <= len(few.captured_queries) + 2  # the user names, once per page


def test_applying_a_macro_in_the_browser_and_a_stale_page_is_refused(client_as, tina, ticket):
    macro = services.macro_save(
        user=tina, name="Pending", actions=[{"type": "set_status", "value": "pending"}]
    )
    c = client_as(tina)
    r = c.post(
        f"/agent/tickets/{ticket.pk}/macros/{macro.pk}/apply/", {"version": ticket.version - 1}, follow=True
    )
    assert "changed since you opened it" in r.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "new"
    r = c.post(
        f"/agent/tickets/{ticket.pk}/macros/{macro.pk}/apply/", {"version": ticket.version}, follow=True
    )
    assert "Macro “Pending” applied." in r.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "pending"


def test_apply_is_post_only_and_404_for_other_agents_macros(client_as, tina, nick, ticket):
    macro = services.macro_save(user=tina, name="Mine", actions=[{"type": "set_status", "value": "pending"}])
    assert client_as(tina).get(f"/agent/tickets/{ticket.pk}/macros/{macro.pk}/apply/").status_code == 405
    assert client_as(nick).post(f"/agent/tickets/{ticket.pk}/macros/{macro.pk}/apply/").status_code == 404


def test_macro_form_saves_and_shows_errors(client_as, tina):
    c = client_as(tina)
    assert c.get("/agent/config/macros/new/").status_code == 200
    r = c.post("/agent/config/macros/new/", {"name": "Nothing"})
    assert r.status_code == 400
    assert "Add at least one action." in r.content.decode()
    r = c.post("/agent/config/macros/new/", {"name": "Bad", "reply_body": "Hi {nam}"})
    assert r.status_code == 400
    assert "Unknown placeholder {nam}" in r.content.decode()
    assert not Macro.objects.exists()
    r = c.post("/agent/config/macros/new/", {"name": "Take", "set_assignee": "me", "add_tags": "mine, vpn"})
    assert r.status_code == 302
    macro = Macro.objects.get()
    assert macro.actions == [
        {"type": "set_assignee", "value": "me"},
        {"type": "add_tags", "value": ["mine", "vpn"]},
    ]
    assert "Take" in c.get("/agent/config/macros/").content.decode()


def test_rule_pages_are_for_supervisors(client_as, tina, sam):
    assert client_as(tina).get("/agent/config/rules/").status_code == 403
    assert client_as(sam).get("/agent/config/rules/").status_code == 200


def test_rule_form_dry_run_saves_nothing_and_refuses_a_rule_that_never_matches(client_as, sam, ticket):
    c = client_as(sam)
    data = {
        "name": "VPN tickets",
        "trigger": "created",
        "active": "on",
        "cond_text": "VPN",
        "add_tags": "vpn",
    }
    r = c.post("/agent/config/rules/new/", {**data, "dry_run": "1"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "would have acted on 1 ticket" in html
    assert ticket.reference in html
    assert not Rule.objects.exists()
    r = c.post("/agent/config/rules/new/", {**data, "cond_status": ["closed"]})
    assert r.status_code == 400
    assert "can never match" in r.content.decode()
    r = c.post("/agent/config/rules/new/", data)
    assert r.status_code == 302
    assert Rule.objects.get().conditions == [{"field": "text", "op": "contains", "value": "VPN"}]


def test_deleting_a_rule_asks_first_and_can_be_undone(client_as, sam, make_rule):
    rule = make_rule(trigger="created", actions=[{"type": "add_tags", "value": ["x"]}])
    c = client_as(sam)
    assert c.get(f"/agent/config/rules/{rule.pk}/delete/").status_code == 200
    assert Rule.objects.exists()
    c.post(f"/agent/config/rules/{rule.pk}/delete/")
    assert not Rule.objects.exists()


def test_a_rules_note_reads_as_internal_and_never_reaches_the_portal(
    client_as, tina, alice, ticket, make_rule
):
    from automation import services as auto

    make_rule(
        trigger="time",
        since="unchanged",
        hours=1,
        actions=[{"type": "note", "body": "Checked by the night rule"}],
    )
    from datetime import timedelta

    from django.utils import timezone

    from tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    auto.rules_time_sweep()
    agent_html = client_as(tina).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    note = agent_html[agent_html.index("Checked by the night rule") - 900 :]
    assert "Internal note" in note[:900]
    assert (
        "Checked by the night rule"
        not in client_as(alice).get(f"/portal/tickets/{ticket.reference}/").content.decode()
    )

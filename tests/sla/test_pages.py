"""Supervisor pages for policies and calendars."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from sla.models import Calendar, SlaPolicy
from tests.factories import TicketFactory, UserFactory
from tickets.panels import nav_entries

pytestmark = pytest.mark.django_db
CONFIG = "/agent/config/sla/"


def client_for(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def test_only_supervisors_open_the_config(alice, tina, sam, default_policy):
    assert Client().get(CONFIG).status_code == 302  # to the login page
    assert client_for(alice).get(CONFIG).status_code == 403
    assert client_for(tina).get(CONFIG).status_code == 403
    page = client_for(sam).get(CONFIG)
    assert page.status_code == 200
    assert "Standard" in page.content.decode()
    assert "Business hours (Berlin)" in page.content.decode()


def test_the_config_is_in_the_supervisors_nav():
    assert any(e.url_name == "sla:config" and e.who == "supervisor" for e in nav_entries)


def test_a_supervisor_creates_a_policy_in_the_browser(sam, office_calendar, django_assert_max_num_queries):
    form = {
        "name": "Gold",
        "calendar": office_calendar.pk,
        **{f"p{n}_{t}": 30 * n for n in range(1, 5) for t in ("first_response", "resolution")},
        "warning_percent": 75,
        "tier1_share": 40,
        "tier2_share": 40,
        "tier3_share": 20,
        "is_default": "on",
    }
    response = client_for(sam).post(f"{CONFIG}policies/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SlaPolicy.objects.get(name="Gold")
    assert (policy.p4_resolution, policy.warning_percent, policy.tier1_share, policy.is_default) == (
        120,
        75,
        40,
        True,
    )


def test_shares_that_do_not_add_up_are_shown_as_an_error(sam, office_calendar):
    form = {
        "name": "Bad",
        "calendar": office_calendar.pk,
        **{f"p{n}_{t}": 30 for n in range(1, 5) for t in ("first_response", "resolution")},
        "warning_percent": 80,
        "tier1_share": 50,
        "tier2_share": 50,
        "tier3_share": 50,
    }
    response = client_for(sam).post(f"{CONFIG}policies/new/", form)
    assert response.status_code == 200
    assert "add up to 100" in response.content.decode()
    assert not SlaPolicy.objects.filter(name="Bad").exists()


def test_a_new_default_policy_in_the_browser_replaces_the_old_default(sam, default_policy):
    form = {
        "name": "Other",
        "calendar": default_policy.calendar_id,
        **{f"p{n}_{t}": 30 for n in range(1, 5) for t in ("first_response", "resolution")},
        "warning_percent": 80,
        "tier1_share": 30,
        "tier2_share": 50,
        "tier3_share": 20,
        "is_default": "on",
    }
    assert client_for(sam).post(f"{CONFIG}policies/new/", form).status_code == 302
    assert list(SlaPolicy.objects.filter(is_default=True).values_list("name", flat=True)) == ["Other"]


def test_a_supervisor_edits_a_calendar(sam, office_calendar):
    url = f"{CONFIG}calendars/{office_calendar.pk}/"
    page = client_for(sam).get(url).content.decode()
    assert "08:00–17:00" in page
    response = client_for(sam).post(
        url,
        {
            "name": "Office",
            "timezone": "Europe/Berlin",
            "holiday_state": "BY",
            "hours_0": "08:00–12:00, 13:00-17:00",
            "hours_4": "8:00-14:00",
            "custom_holidays": "2026-12-24 Christmas Eve\n2026-12-31 New Year's Eve",
        },
    )
    assert response.status_code == 302
    cal = Calendar.objects.get(pk=office_calendar.pk)
    assert cal.working_hours == {"0": [["08:00", "12:00"], ["13:00", "17:00"]], "4": [["8:00", "14:00"]]}
    assert cal.holiday_state == "BY"
    assert [h.name for h in cal.custom_holidays.all()] == ["Christmas Eve", "New Year's Eve"]


def test_bad_working_hours_are_refused(sam):
    response = client_for(sam).post(
        f"{CONFIG}calendars/new/", {"name": "X", "timezone": "Europe/Berlin", "hours_0": "17:00-08:00"}
    )
    assert response.status_code == 200
    assert not Calendar.objects.filter(name="X").exists()


def test_agents_cannot_post_either(tina, default_policy):
    assert client_for(tina).post(f"{CONFIG}policies/{default_policy.pk}/delete/").status_code == 403
    assert SlaPolicy.objects.filter(pk=default_policy.pk).exists()


def _undo_action(page: str) -> str:
    """The Undo form's action in the "Deleted: …" message of a page."""
    match = re.search(r'<form class="msg-undo" method="post" action="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_deleting_a_policy_asks_first_then_can_be_undone(sam, alice, default_policy):
    from tickets import services as ts

    ticket = ts.ticket_create(requester=alice, by=alice, subject="s", description="d")
    assert ticket.sla.policy_id == default_policy.pk
    client = client_for(sam)
    config = client.get(CONFIG).content.decode()
    delete_url = f"{CONFIG}policies/{default_policy.pk}/delete/"
    assert f'href="{delete_url}"' in config  # a link to the confirmation, not a form that deletes

    confirm = client.get(delete_url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Delete SLA policy “Standard”?" in html
    assert "1 open ticket has its due times from this policy." in html
    assert SlaPolicy.objects.filter(pk=default_policy.pk).exists()  # GET changes nothing

    page = client.post(delete_url, follow=True).content.decode()
    assert not SlaPolicy.objects.filter(pk=default_policy.pk).exists()
    assert "Deleted: SLA policy “Standard”." in page
    ticket.sla.refresh_from_db()
    assert ticket.sla.policy_id is None

    page = client.post(_undo_action(page), follow=True).content.decode()
    assert "Restored: SLA policy “Standard”." in page
    restored = SlaPolicy.objects.get(pk=default_policy.pk)
    assert (restored.name, restored.is_default, restored.p1_first_response) == ("Standard", True, 30)
    ticket.sla.refresh_from_db()
    assert ticket.sla.policy_id == default_policy.pk  # the tickets point at it again


def test_an_undo_works_once_only_within_the_window_and_only_for_who_deleted(sam, default_policy):
    from tickets.undo import UNDO_WINDOW

    client = client_for(sam)
    page = client.post(f"{CONFIG}policies/{default_policy.pk}/delete/", follow=True).content.decode()
    undo = _undo_action(page)
    other = UserFactory(username="sam2", role=User.Role.SUPERVISOR)
    assert "can no longer be undone" in client_for(other).post(undo, follow=True).content.decode()
    assert client.get(undo).status_code == 405  # GET never changes anything
    with time_machine.travel(timezone.now() + UNDO_WINDOW, tick=False):
        assert "can no longer be undone" in client.post(undo, follow=True).content.decode()
    assert not SlaPolicy.objects.filter(pk=default_policy.pk).exists()


def test_deleting_a_calendar_takes_its_holidays_and_the_undo_brings_them_back(sam):
    from sla import services

    cal = services.calendar_save(
        name="Bavaria",
        timezone="Europe/Berlin",
        custom_holidays=[{"date": date(2026, 12, 24), "name": "Eve"}],
    )
    client = client_for(sam)
    url = f"{CONFIG}calendars/{cal.pk}/delete/"
    assert "Its 1 custom holiday is deleted with it." in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()
    assert not Calendar.objects.filter(pk=cal.pk).exists()
    client.post(_undo_action(page))
    assert [h.name for h in Calendar.objects.get(pk=cal.pk).custom_holidays.all()] == ["Eve"]


def test_a_calendar_in_use_is_not_deleted_and_the_page_says_by_what(sam, default_policy):
    client = client_for(sam)
    url = f"{CONFIG}calendars/{default_policy.calendar_id}/delete/"
    html = client.get(url).content.decode()
    message = "This calendar is used by the policy “Standard”: give it another calendar first."
    assert message in html
    assert 'type="submit">Delete<' not in html
    page = client.post(url, follow=True).content.decode()
    assert message in page
    assert Calendar.objects.filter(pk=default_policy.calendar_id).exists()


def test_the_confirmation_and_the_undo_are_german(sam, default_policy):
    sam.language = "de"
    sam.save()
    client = client_for(sam)
    url = f"{CONFIG}policies/{default_policy.pk}/delete/"
    html = client.get(url).content.decode()
    assert "SLA-Richtlinie „Standard“ löschen?" in html
    page = client.post(url, follow=True).content.decode()
    assert "Gelöscht: SLA-Richtlinie „Standard“." in page
    assert "Rückgängig" in page


def test_a_calendar_in_use_names_its_policies_in_german_quotes(sam, default_policy):
    sam.language = "de"
    sam.save()
    html = client_for(sam).get(f"{CONFIG}calendars/{default_policy.calendar_id}/delete/").content.decode()
    assert "von der Richtlinie „Standard“ verwendet" in html


def test_an_undo_that_would_clash_with_a_new_policy_says_so(sam, default_policy, office_calendar):
    client = client_for(sam)
    page = client.post(f"{CONFIG}policies/{default_policy.pk}/delete/", follow=True).content.decode()
    SlaPolicy.objects.create(name="Standard", calendar=office_calendar)
    page = client.post(_undo_action(page), follow=True).content.decode()
    assert "Could not restore SLA policy “Standard”: it clashes with" in page
    assert list(SlaPolicy.objects.values_list("name", flat=True)) == ["Standard"]


def test_the_policy_form_says_what_an_empty_choice_means(sam, default_policy, alice):
    sam.language = "de"
    sam.save()
    html = client_for(sam).get(f"{CONFIG}policies/{default_policy.pk}/").content.decode()
    assert "---------" not in html
    assert ">jede Kategorie</option>" in html
    assert ">jeder Kunde</option>" in html
    assert f">{alice.get_full_name() or alice.username}</option>" in html


def test_the_config_and_the_queue_name_categories_and_customers_as_the_rest_of_the_ui(
    sam, alice, office_calendar, make_policy
):
    from tests.factories import CategoryFactory

    network = CategoryFactory(name="Network", name_de="Netzwerk")
    make_policy("Alice's network", category=network, customer=alice)
    TicketFactory(requester=alice, category=network, status="open")
    sam.language = "de"
    sam.save()
    config = client_for(sam).get(CONFIG).content.decode()
    assert '<td data-label="Gilt für">Alice · Netzwerk</td>' in config  # not "alice · Network"
    queue = client_for(sam).get("/agent/?tab=open").content.decode()
    assert '<div class="muted small">Netzwerk</div>' in queue

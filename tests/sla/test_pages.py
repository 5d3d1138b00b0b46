"""Supervisor pages for policies and calendars."""

from __future__ import annotations

import pytest
from django.test import Client

from sla.models import Calendar, SlaPolicy
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

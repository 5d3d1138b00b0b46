"""/api/v1/sla-policies/ and /api/v1/sla-calendars/: supervisors write, agents read, customers 403."""

from __future__ import annotations

import pytest

from sla.models import Calendar, SlaPolicy

pytestmark = pytest.mark.django_db

POLICIES = "/api/v1/sla-policies/"
CALENDARS = "/api/v1/sla-calendars/"


def policy_body(calendar: Calendar, **kw: object) -> dict:
    return {
        "name": "Gold",
        "calendar": calendar.pk,
        "targets": {"P1": {"first_response": 15, "resolution": 120}, "P4": {"resolution": 5000}},
        "tier_shares": {"1": 20, "2": 50, "3": 30},
        "auto_escalate_on_breach": True,
        **kw,
    }


def test_customers_get_403_and_anonymous_401(api_as, alice, default_policy):
    assert api_as(alice).get(POLICIES).status_code == 403
    assert api_as(alice).get(f"{POLICIES}{default_policy.pk}/").status_code == 403
    assert api_as(alice).get(CALENDARS).status_code == 403
    assert api_as(None).get(POLICIES).status_code in (401, 403)


def test_agents_read_but_may_not_write(api_as, tina, default_policy, office_calendar):
    client = api_as(tina)
    listed = client.get(POLICIES)
    assert listed.status_code == 200
    [policy] = listed.json()["results"]
    assert policy["targets"]["P3"] == {"first_response": 240, "resolution": 1440}
    assert policy["tier_shares"] == {"1": 30, "2": 50, "3": 20}
    assert policy["is_default"] is True
    assert client.post(POLICIES, policy_body(office_calendar), format="json").status_code == 403
    assert client.patch(f"{POLICIES}{default_policy.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{POLICIES}{default_policy.pk}/").status_code == 403
    assert client.post(CALENDARS, {"name": "x"}, format="json").status_code == 403


def test_a_supervisor_creates_a_policy_with_nested_targets(api_as, sam, office_calendar, alice):
    # when
    response = api_as(sam).post(POLICIES, policy_body(office_calendar, customer=alice.pk), format="json")
    # then
    assert response.status_code == 201, response.json()
    policy = SlaPolicy.objects.get(name="Gold")
    assert (policy.p1_first_response, policy.p1_resolution, policy.p4_resolution) == (15, 120, 5000)
    assert (policy.p2_first_response, policy.warning_percent) == (60, 80)  # defaults
    assert (policy.tier1_share, policy.tier2_share, policy.tier3_share) == (20, 50, 30)
    assert policy.customer == alice
    assert response.json()["targets"]["P1"] == {"first_response": 15, "resolution": 120}


def test_tier_shares_must_add_up_to_100(api_as, sam, office_calendar):
    response = api_as(sam).post(
        POLICIES, policy_body(office_calendar, tier_shares={"1": 30, "2": 30, "3": 30}), format="json"
    )
    assert response.status_code == 400
    assert "tier_shares" in response.json()


@pytest.mark.parametrize(
    "bad",
    [
        {"targets": {"P1": {"first_response": 0}}},
        {"warning_percent": 100},
        {"calendar": 999999},
        {"customer": "tina"},
    ],
)
def test_invalid_policies_are_400_with_field_errors(api_as, sam, tina, office_calendar, bad):
    if bad.get("customer") == "tina":
        bad = {"customer": tina.pk}  # an agent is not a customer
    response = api_as(sam).post(POLICIES, {**policy_body(office_calendar), **bad}, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"targets", "warning_percent", "calendar", "customer"}


def test_a_new_default_replaces_the_old_one(api_as, sam, default_policy, office_calendar):
    response = api_as(sam).post(POLICIES, policy_body(office_calendar, is_default=True), format="json")
    assert response.status_code == 201
    assert list(SlaPolicy.objects.filter(is_default=True).values_list("name", flat=True)) == ["Gold"]


def test_a_supervisor_changes_one_target(api_as, sam, default_policy):
    response = api_as(sam).patch(
        f"{POLICIES}{default_policy.pk}/", {"targets": {"P2": {"resolution": 600}}}, format="json"
    )
    assert response.status_code == 200, response.json()
    default_policy.refresh_from_db()
    assert (default_policy.p2_resolution, default_policy.p2_first_response) == (600, 60)


def test_calendars_with_custom_holidays(api_as, sam):
    body = {
        "name": "Munich office",
        "timezone": "Europe/Berlin",
        "working_hours": {"0": [["8:00", "12:00"], ["13:00", "17:00"]], "4": [["08:00", "14:00"]]},
        "holiday_state": "BY",
        "custom_holidays": [{"date": "2026-12-24", "name": "Christmas Eve"}],
    }
    response = api_as(sam).post(CALENDARS, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["working_hours"] == {"0": [["08:00", "12:00"], ["13:00", "17:00"]], "4": [["08:00", "14:00"]]}
    assert data["custom_holidays"] == [{"date": "2026-12-24", "name": "Christmas Eve"}]
    # replacing the custom days
    pk = data["id"]
    response = api_as(sam).patch(f"{CALENDARS}{pk}/", {"custom_holidays": []}, format="json")
    assert response.json()["custom_holidays"] == []


@pytest.mark.parametrize(
    "bad",
    [{"timezone": "Mars/Olympus"}, {"working_hours": {"0": [["17:00", "08:00"]]}}, {"holiday_state": "XX"}],
)
def test_invalid_calendars_are_400(api_as, sam, bad):
    response = api_as(sam).post(CALENDARS, {"name": "Bad", **bad}, format="json")
    assert response.status_code == 400
    assert set(response.json()) & set(bad)


def test_a_calendar_in_use_cannot_be_deleted(api_as, sam, default_policy):
    response = api_as(sam).delete(f"{CALENDARS}{default_policy.calendar_id}/")
    assert response.status_code == 400
    assert Calendar.objects.filter(pk=default_policy.calendar_id).exists()


def test_lists_do_not_query_per_row(
    api_as, tina, make_policy, office_calendar, django_assert_max_num_queries
):
    for i in range(10):
        make_policy(f"P{i}")
        Calendar.objects.create(name=f"Cal {i}").custom_holidays.create(date="2026-12-24", name="Eve")
    client = api_as(tina)
    with django_assert_max_num_queries(3):
        assert len(client.get(POLICIES).json()["results"]) == 10
    with django_assert_max_num_queries(3):
        assert len(client.get(CALENDARS).json()["results"]) == 11

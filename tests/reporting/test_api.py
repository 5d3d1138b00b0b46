from __future__ import annotations

import pytest

from tests.factories import TicketFactory
from tests.reporting.conftest import MARCH_PARAMS
from tests.reporting.test_metrics import EXPECTED, r

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/summary/"


def test_supervisors_get_the_hand_computed_numbers(march, sam, api_as) -> None:
    response = api_as(sam).get(URL, MARCH_PARAMS)
    assert response.status_code == 200
    body = response.json()
    for key, value in EXPECTED.items():
        assert body[key] == value, key
    assert body["csat"] == {"mean": 3.5, "responses": 4, "response_rate": r(4, 9)}
    assert body["first_response_minutes"]["median"] == 30.0
    assert body["backlog"]["total"] == 6
    assert body["deflections"] == {"count": 0, "records": 0}
    assert body["escalated_solved_with_existing_article"] == r(0, 3)
    assert body["previous"]["created"] == 2


def test_filters_apply(march, sam, api_as, network_team) -> None:
    body = api_as(sam).get(URL, {**MARCH_PARAMS, "team": network_team.pk}).json()
    assert (body["resolved"], body["flr"]) == (1, r(0, 1))
    assert body["filters"] == {
        "team": network_team.pk,
        "tier": None,
        "category": None,
        "channel": None,
        "organisation": None,
    }
    body = api_as(sam).get(URL, {**MARCH_PARAMS, "channel": "email", "tier": 1}).json()
    assert (body["resolved"], body["created"]) == (2, 2)


def test_admins_are_supervisors(march, api_as, django_user_model) -> None:
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    assert api_as(admin).get(URL, MARCH_PARAMS).status_code == 200


@pytest.mark.parametrize("who", ["alice", "tina"])
def test_agents_and_customers_are_forbidden(request, who: str, api_as) -> None:
    assert api_as(request.getfixturevalue(who)).get(URL).status_code == 403


def test_anonymous_is_unauthorized(api_as, db) -> None:
    assert api_as(None).get(URL).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01", "to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01", "to": "yesterday"}, "to"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from"),
        ({"from": "2000-01-01", "to": "2026-03-01"}, "from"),
        ({"team": "999999"}, "team"),
        ({"category": "999999"}, "category"),
        ({"tier": "4"}, "tier"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_input_is_a_400_with_the_field(sam, api_as, params: dict, field: str) -> None:
    response = api_as(sam).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_without_dates_it_reports_the_last_30_days(sam, api_as) -> None:
    body = api_as(sam).get(URL).json()
    assert body["period"]["days"] == 30


def test_query_count_does_not_grow_with_tickets(
    march, sam, alice, service_desk, api_as, django_assert_max_num_queries
) -> None:
    # 2 × (resolved, created, tier moves, business times, deflections, escalated with an article)
    # + backlog + its team names + declines and consults (+ 3 session settings on PostgreSQL)
    with django_assert_max_num_queries(24) as before:
        assert api_as(sam).get(URL, MARCH_PARAMS).status_code == 200
    TicketFactory.create_batch(20, requester=alice, team=service_desk)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert api_as(sam).get(URL, MARCH_PARAMS).status_code == 200

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import CUSTOMER_NO_TEAMS

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/"


def _new_agent(**overrides: object) -> dict:
    return {
        "username": "nora",
        "email": "nora@example.com",
        "password": "correct-Horse-battery-9",
        "role": "agent",
        "language": "de",
        **overrides,
    }


def test_a_supervisor_creates_an_agent_in_a_team(api_as, sam, service_desk):
    # when
    response = api_as(sam).post(URL, _new_agent(teams=[service_desk.pk]), format="json")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["role"] == "agent"
    assert body["language"] == "de"
    assert body["teams"] == [service_desk.pk]
    assert "password" not in body
    nora = User.objects.get(username="nora")
    assert nora.check_password("correct-Horse-battery-9")
    assert nora.is_agent


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"password": "nora@example.com"}, "password"),
        ({"username": "alice"}, "username"),
        ({"username": "ALICE"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"role": "admin"}, "role"),
        ({"language": "fr"}, "language"),
        ({"teams": [999999]}, "teams"),
        ({"teams": "x"}, "teams"),
        ({"username": ""}, "username"),
    ],
)
def test_bad_input_is_a_field_error_and_creates_nobody(api_as, sam, alice, overrides, field):
    # given
    before = User.objects.count()
    # when
    response = api_as(sam).post(URL, _new_agent(**overrides), format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == before


def test_a_customer_is_in_no_team(api_as, sam, service_desk):
    response = api_as(sam).post(URL, _new_agent(role="customer", teams=[service_desk.pk]), format="json")
    assert response.status_code == 400
    assert response.json() == {"teams": [CUSTOMER_NO_TEAMS]}
    assert not User.objects.filter(username="nora").exists()


def test_missing_fields_are_listed(api_as, sam):
    response = api_as(sam).post(URL, {}, format="json")
    assert response.status_code == 400
    assert {"username", "email", "password"} <= set(response.json())


@pytest.mark.parametrize("who", ["tina", "alice"])
def test_only_supervisors_create_users(api_as, request, who):
    user = request.getfixturevalue(who)
    response = api_as(user).post(URL, _new_agent(role="supervisor"), format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="nora").exists()


def test_agents_list_users_without_secrets(api_as, tina, alice, bob):
    response = api_as(tina).get(URL)
    assert response.status_code == 200
    results = response.json()["results"]
    assert {"alice", "bob", "tina"} <= {u["username"] for u in results}
    assert all("password" not in u for u in results)


def test_users_can_be_filtered_by_role(api_as, tina, alice, bob, sam):
    response = api_as(tina).get(URL, {"role": "customer"})
    assert {u["username"] for u in response.json()["results"]} == {"alice", "bob"}


@pytest.mark.parametrize("who", ["alice", "bob", "tina", "sam"])
def test_everyone_signed_in_reads_me(api_as, request, who):
    user = request.getfixturevalue(who)
    response = api_as(user).get(f"{URL}me/")
    assert response.status_code == 200
    assert response.json()["username"] == who
    assert response.json()["role"] == user.role


def test_anonymous_callers_get_401(api_as):
    assert api_as(None).get(f"{URL}me/").status_code == 401
    assert api_as(None).post(URL, _new_agent(), format="json").status_code == 401

"""``/api/v1/organisations/``: supervisors write, agents read, members read their own (no notes, no
contract), others' are 404; members: managers and supervisors write; bad input is 400 with field errors."""

from __future__ import annotations

import pytest

from organisations.models import Membership

pytestmark = pytest.mark.django_db
URL = "/api/v1/organisations/"


def test_a_supervisor_creates_an_organisation_with_domains_and_a_policy(sam, api_as):
    from organisations.demo import premium_policy

    policy = premium_policy()
    body = {"name": "Initech", "domains": ["initech.example", "Initech.DE"], "sla_policy": policy.pk,
            "contract": "Premium", "contract_ends": "2027-12-31", "notes": "VIP"}  # fmt: skip
    response = api_as(sam).post(URL, body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["domains"] == ["initech.de", "initech.example"]
    assert (response.data["sla_policy"], response.data["notes"]) == (policy.pk, "VIP")
    # the admin audit log has who created it, with the values
    from audit.models import AuditEntry

    entry = AuditEntry.objects.get(model="organisations.organisation", action="created")
    assert (entry.actor, entry.after["name"], entry.after["contract"]) == (sam, "Initech", "Premium")
    assert AuditEntry.objects.filter(model="organisations.domain", action="created").count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"domains": ["globex.example"]}, "domains"),
        ({"domains": ["no domain"]}, "domains"),
        ({"name": ""}, "name"),
        ({"name": "Globex"}, "name"),
        ({"sla_policy": 99999}, "sla_policy"),
        ({"contract_starts": "2026-05-01", "contract_ends": "2026-04-01"}, "contract_ends"),
        ({"contract_ends": "soon"}, "contract_ends"),
    ],
)
def test_bad_input_is_a_field_error(globex, sam, api_as, body, field):
    response = api_as(sam).post(URL, {"name": "Initech", **body}, format="json")
    assert response.status_code == 400
    assert field in response.data, response.data


def test_agents_read_with_notes_and_may_not_write(people, acme, tina, api_as):
    client = api_as(tina)
    rows = client.get(URL).data["results"]
    assert {r["name"] for r in rows} == {"Acme", "Globex"}
    assert next(r for r in rows if r["name"] == "Acme")["notes"] == "Call before 10."
    assert client.post(URL, {"name": "X"}, format="json").status_code == 403
    assert client.patch(f"{URL}{acme.pk}/", {"name": "X"}, format="json").status_code == 403


def test_members_read_only_their_own_without_notes_or_contract(people, acme, globex, api_as):
    client = api_as(people["nora"])
    rows = client.get(URL).data["results"]
    assert [r["name"] for r in rows] == ["Acme"]
    assert "notes" not in rows[0]
    assert "sla_policy" not in rows[0]
    assert "contract" not in rows[0]
    assert rows[0]["membership"] == {"is_primary": True, "sees_all_tickets": False, "is_manager": False}
    assert client.get(f"{URL}{globex.pk}/").status_code == 404
    assert client.get(f"{URL}{globex.pk}/members/").status_code == 404
    assert client.patch(f"{URL}{acme.pk}/", {"name": "X"}, format="json").status_code == 403


def test_members_see_only_themselves_in_the_member_list_and_managers_see_all(people, acme, api_as):
    nora = api_as(people["nora"]).get(f"{URL}{acme.pk}/members/").data
    mark = api_as(people["mark"]).get(f"{URL}{acme.pk}/members/").data
    assert [m["email"] for m in nora] == ["nora@acme.example"]
    assert len(mark) == 4


def test_a_manager_grants_the_right_and_a_plain_member_may_not(people, acme, api_as):
    carla = Membership.objects.get(user=people["nora"])
    url = f"{URL}{acme.pk}/members/{carla.pk}/"
    assert api_as(people["nora"]).patch(url, {"sees_all_tickets": True}, format="json").status_code == 403
    response = api_as(people["mark"]).patch(url, {"sees_all_tickets": True}, format="json")
    assert response.status_code == 200, response.data
    assert Membership.objects.get(pk=carla.pk).sees_all_tickets


def test_a_manager_cannot_add_someone_from_outside_the_domains(people, acme, alice, api_as):
    response = api_as(people["mark"]).post(
        f"{URL}{acme.pk}/members/", {"email": "zed@nowhere.example"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.data


def test_a_supervisor_adds_anyone_by_user_id(people, acme, sam, api_as):
    response = api_as(sam).post(f"{URL}{acme.pk}/members/", {"user": people["olga"].pk}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["is_primary"] is False  # Globex stays her primary organisation


def test_anonymous_gets_401(acme, api):
    assert api.get(URL).status_code == 401

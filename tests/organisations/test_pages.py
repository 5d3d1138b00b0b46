"""The organisation's pages: the agents' panel with its notes, the members' portal page (managers manage
members there), the supervisors' configuration pages. Notes for agents never reach a customer."""

from __future__ import annotations

import pytest

from organisations.models import Membership, Organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_agents_see_the_organisation_and_its_notes_on_the_ticket_page(tickets, tina, client):
    client.force_login(tina)
    html = client.get(f"/agent/tickets/{tickets['alice'].pk}/").content.decode()
    assert 'data-testid="organisation-panel"' in html
    assert "Call before 10." in html


def test_no_panel_for_a_requester_without_organisation(tina, client, alice):
    from tickets import services as ts

    ticket = ts.ticket_create(requester=alice, by=alice, subject="x", description="y")
    client.force_login(tina)
    assert (
        'data-testid="organisation-panel"' not in client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    )


@pytest.mark.parametrize("persona", ["alice", "carla", "mark"])
def test_the_notes_never_reach_a_customer(people, tickets, acme, persona, client):
    client.force_login(people[persona])
    for url in (f"/portal/tickets/{tickets['alice'].reference}/", f"/portal/organisation/{acme.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Call before 10." not in response.content.decode()


def test_the_portal_page_lists_the_organisations_tickets_for_those_with_the_right(
    people, tickets, acme, client
):
    client.force_login(people["carla"])
    html = client.get(f"/portal/organisation/{acme.pk}/").content.decode()
    assert tickets["alice"].reference in html
    assert tickets["nora"].reference in html
    assert tickets["bob"].reference not in html
    client.force_login(people["nora"])
    html = client.get(f"/portal/organisation/{acme.pk}/").content.decode()
    assert tickets["alice"].reference not in html
    assert 'id="organisation-add-member"' not in html


def test_an_outsider_gets_404_for_the_organisation_page(people, acme, client):
    client.force_login(people["olga"])
    assert client.get(f"/portal/organisation/{acme.pk}/").status_code == 404
    assert (
        client.post(f"/portal/organisation/{acme.pk}/members/", {"email": "x@acme.example"}).status_code
        == 404
    )


def test_one_organisation_goes_straight_to_its_page(people, acme, client):
    client.force_login(people["nora"])
    response = client.get("/portal/organisation/")
    assert response.status_code == 302
    assert response.url == f"/portal/organisation/{acme.pk}/"


def test_a_plain_member_may_not_manage(people, acme, client):
    client.force_login(people["nora"])
    carla = Membership.objects.get(user=people["carla"])
    assert client.post(f"/portal/organisation/{acme.pk}/members/{carla.pk}/", {}).status_code == 403
    assert (
        client.post(f"/portal/organisation/{acme.pk}/members/", {"email": "a@acme.example"}).status_code
        == 403
    )


def test_a_manager_adds_a_member_grants_the_right_and_removes_one(people, acme, client):
    newcomer = UserFactory(username="nina", email="nina@acme.example")
    Membership.objects.filter(user=newcomer).delete()
    client.force_login(people["mark"])
    base = f"/portal/organisation/{acme.pk}/members/"
    # when
    added = client.post(base, {"email": "nina@acme.example", "sees_all_tickets": "on"})
    nora = Membership.objects.get(user=people["nora"])
    granted = client.post(f"{base}{nora.pk}/", {"sees_all_tickets": "on"})
    removed = client.post(f"{base}{Membership.objects.get(user=newcomer).pk}/remove/")
    # then
    assert (added.status_code, granted.status_code, removed.status_code) == (302, 302, 302)
    assert Membership.objects.get(pk=nora.pk).sees_all_tickets
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_manager_adding_someone_outside_the_domains_gets_a_form_error(people, acme, client):
    UserFactory(username="zed", email="zed@elsewhere.example")
    client.force_login(people["mark"])
    response = client.post(f"/portal/organisation/{acme.pk}/members/", {"email": "zed@elsewhere.example"})
    assert response.status_code == 400
    assert "only people with an address at one of the organisation" in response.content.decode()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_pages_speak_both_languages(people, acme, sam, client, language):
    sam.language = people["mark"].language = language
    sam.save()
    people["mark"].save()
    words = {"en": ("Members", "Organisations"), "de": ("Mitglieder", "Organisationen")}[language]
    client.force_login(people["mark"])
    assert words[0] in client.get(f"/portal/organisation/{acme.pk}/").content.decode()
    client.force_login(sam)
    assert words[1] in client.get("/agent/config/organisations/").content.decode()
    assert words[0] in client.get(f"/agent/config/organisations/{acme.pk}/").content.decode()


def test_supervisors_create_an_organisation_and_bad_domains_are_form_errors(sam, globex, client):
    client.force_login(sam)
    bad = client.post("/agent/config/organisations/", {"name": "Initech", "domains": "globex.example"})
    good = client.post(
        "/agent/config/organisations/", {"name": "Initech", "domains": "initech.example, initech.de"}
    )
    assert bad.status_code == 400
    assert "already belongs to Globex" in bad.content.decode()
    assert good.status_code == 302
    assert sorted(Organisation.objects.get(name="Initech").domains.values_list("domain", flat=True)) == [
        "initech.de",
        "initech.example",
    ]


def test_agents_and_customers_may_not_configure(tina, alice, acme, client):
    for user in (tina, alice):
        client.force_login(user)
        assert client.get("/agent/config/organisations/").status_code == 403
        assert client.get(f"/agent/config/organisations/{acme.pk}/").status_code == 403

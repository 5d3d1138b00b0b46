"""Organisations: domains map new customers, the primary organisation, managers' limits, bad input."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import customer_create_by_agent, customer_sign_up
from helpdesk.errors import ApplicationError
from organisations import services
from organisations.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_customer_who_signs_up_joins_the_organisation_of_their_domain(acme):
    # when
    user = customer_sign_up(username="dora", email="Dora@ACME.example", password="pw-Secret-123")
    # then
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.is_primary) == (acme, True)
    assert not membership.sees_all_tickets
    assert not membership.is_manager


def test_a_customer_an_agent_records_joins_by_domain_and_others_do_not(acme):
    # when
    known = customer_create_by_agent(email="eve@acme.example")
    stranger = customer_create_by_agent(email="eve@elsewhere.example")
    # then
    assert list(known.org_memberships.values_list("organisation__name", flat=True)) == ["Acme"]
    assert not stranger.org_memberships.exists()


def test_staff_never_join_by_domain(acme):
    agent = UserFactory(username="agnes", email="agnes@acme.example", role=User.Role.AGENT)
    assert not agent.org_memberships.exists()


def test_the_first_organisation_is_primary_and_a_second_one_is_not(acme, globex, alice):
    first = services.member_add(organisation=acme, user=alice)
    second = services.member_add(organisation=globex, user=alice)
    assert (first.is_primary, second.is_primary) == (True, False)
    # when: globex becomes her primary organisation
    services.member_update(membership=second, is_primary=True)
    # then
    first.refresh_from_db()
    assert (first.is_primary, Membership.objects.get(pk=second.pk).is_primary) == (False, True)


def test_removing_the_primary_organisation_makes_the_other_one_primary(acme, globex, alice):
    first = services.member_add(organisation=acme, user=alice)
    services.member_add(organisation=globex, user=alice)
    services.member_remove(membership=first)
    assert Membership.objects.get(user=alice).is_primary


@pytest.mark.parametrize(
    ("domains", "message"),
    [(["not a domain"], "is not an email domain"), (["globex.example"], "already belongs to Globex")],
)
def test_bad_or_taken_domains_are_field_errors(globex, domains, message):
    with pytest.raises(ApplicationError) as exc:
        services.organisation_save(name="Initech", domains=domains)
    assert exc.value.field == "domains"
    assert message in exc.value.message


def test_a_contract_cannot_end_before_it_starts(db):
    import datetime as dt

    with pytest.raises(ApplicationError) as exc:
        services.organisation_save(
            name="Initech", contract_starts=dt.date(2026, 5, 1), contract_ends=dt.date(2026, 4, 1)
        )
    assert exc.value.field == "contract_ends"


def test_a_manager_adds_only_people_at_the_organisations_domains(people, acme):
    mark = people["mark"]
    outsider = UserFactory(username="zed", email="zed@example.org")
    inside = customer_create_by_agent(email="ina@acme.example")
    Membership.objects.filter(user=inside).delete()
    # when / then
    with pytest.raises(ApplicationError) as exc:
        services.member_add_by_email(organisation=acme, email=outsider.email, by=mark)
    assert exc.value.field == "email"
    assert services.member_add_by_email(organisation=acme, email="INA@acme.example", by=mark).user == inside


def test_a_plain_member_may_not_change_members(people, acme):
    nora = people["nora"]
    with pytest.raises(ApplicationError):
        services.member_update(membership=people["carla"].org_memberships.get(), by=nora, is_manager=True)


def test_the_last_manager_cannot_step_down_in_the_portal(people):
    mark = people["mark"]
    with pytest.raises(ApplicationError) as exc:
        services.member_update(membership=mark.org_memberships.get(), by=mark, is_manager=False)
    assert exc.value.field == "is_manager"


def test_a_mail_from_a_new_sender_at_the_domain_joins_them(acme, service_desk):
    from mailin import services as mailin
    from tests.mailin.conftest import make_mail

    # when
    stored = mailin.inbound_store(raw=make_mail(sender="Fay <fay@acme.example>", subject="Help", body="Hi"))
    ticket = mailin.inbound_process(pk=stored.pk).ticket
    # then
    assert ticket.requester.org_memberships.get().organisation == acme


def test_a_customer_made_through_the_api_joins_by_domain(acme, sam, api_as):
    body = {
        "username": "gus",
        "email": "gus@acme.example",
        "password": "Long-enough-pw-42",
        "role": "customer",
    }
    response = api_as(sam).post("/api/v1/users/", body, format="json")
    assert response.status_code == 201, response.data
    assert Membership.objects.get(user_id=response.data["id"]).organisation == acme


def test_the_sign_up_page_joins_by_domain(acme, client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "hal",
            "first_name": "Hal",
            "last_name": "Hart",
            "email": "hal@acme.example",
            "language": "en",
            "password1": "pw-Secret-123-long",
            "password2": "pw-Secret-123-long",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="hal").org_memberships.get().organisation == acme

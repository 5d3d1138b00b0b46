"""sso.services.provision: just-in-time accounts, the group mapping (what it adds, what it owns and
takes back, what it never touches), refusals, the record of sign-ins and the audit log."""

from __future__ import annotations

import pytest

from accounts.models import User
from audit.models import AuditEntry
from sso import services
from sso.models import ExternalIdentity, GroupMapping, SignIn, SsoSettings
from sso.selectors import sso_settings_get
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents_mapping(service_desk) -> GroupMapping:  # noqa: ANN001
    return services.group_mapping_save(
        source="oidc", group="helpdesk-agents", role="agent", teams=[service_desk]
    )


def sign_in(groups: list[str], **kwargs: object) -> User:
    args = {
        "source": "oidc",
        "external_id": "sub-ada",
        "email": "Ada@Example.com",
        "full_name": "Ada Lovelace",
        "groups": groups,
        **kwargs,
    }
    return services.provision(**args)


def test_a_new_person_in_a_mapped_group_becomes_a_tier1_agent_of_the_team(agents_mapping, service_desk):
    # when
    user = sign_in(["Helpdesk-Agents", "staff"])
    # then
    user.refresh_from_db()
    assert (user.role, list(user.teams.all())) == (User.Role.AGENT, [service_desk])
    assert (user.first_name, user.last_name, user.email) == ("Ada", "Lovelace", "ada@example.com")
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).external_id == "sub-ada"
    signin = SignIn.objects.get()
    assert (signin.user, signin.source, signin.outcome, signin.created) == (user, "oidc", "ok", True)
    entry = AuditEntry.objects.filter(model="accounts.user", object_id=str(user.pk)).latest("id")
    assert entry.after == {"role": "agent", "teams": [str(service_desk)]}
    assert entry.details["sso_source"] == "oidc"


def test_an_unmapped_group_gives_no_staff_role(agents_mapping):
    user = sign_in(["everyone"])
    assert user.role == User.Role.CUSTOMER
    assert not user.teams.exists()


def test_unmapped_people_are_refused_when_the_settings_say_so(agents_mapping):
    services.sso_settings_update(staff_passwords_off=False, unmapped=SsoSettings.Unmapped.REFUSE)
    with pytest.raises(services.SignInRefused):
        sign_in(["everyone"])
    assert not User.objects.filter(email="ada@example.com").exists()
    assert SignIn.objects.get().outcome == "unmapped"


def test_leaving_the_group_takes_back_role_and_team_at_the_next_sign_in(agents_mapping):
    sign_in(["helpdesk-agents"])
    # when
    user = sign_in([])
    # then
    user.refresh_from_db()
    assert user.role == User.Role.CUSTOMER
    assert not user.teams.exists()


def test_the_mapping_never_removes_what_a_supervisor_gave_by_hand(agents_mapping, network_team, service_desk):
    # given: an agent by hand, in Network
    person = UserFactory(username="ada", email="ada@example.com", role=User.Role.AGENT, teams=[network_team])
    # when: signs in in the mapped group, then leaves it
    sign_in(["helpdesk-agents"])
    assert set(person.teams.all()) == {network_team, service_desk}
    sign_in([])
    # then: role and the manual team stay, the mapped team goes
    person.refresh_from_db()
    assert person.role == User.Role.AGENT
    assert list(person.teams.all()) == [network_team]


def test_a_supervisor_group_wins_over_an_agent_group_and_teams_add_up(
    agents_mapping, service_desk, network_team
):
    services.group_mapping_save(source="oidc", group="leads", role="supervisor", teams=[network_team])
    user = sign_in(["helpdesk-agents", "leads"])
    assert user.role == User.Role.SUPERVISOR
    assert set(user.teams.all()) == {service_desk, network_team}
    # leaving "leads" only: back to agent in the Service Desk
    user = sign_in(["helpdesk-agents"])
    user.refresh_from_db()
    assert user.role == User.Role.AGENT
    assert list(user.teams.all()) == [service_desk]


def test_a_manual_role_change_ends_the_mappings_ownership(agents_mapping):
    user = sign_in(["helpdesk-agents"])
    User.objects.filter(pk=user.pk).update(role=User.Role.SUPERVISOR)  # a supervisor promotes Ada
    user = sign_in([])
    user.refresh_from_db()
    assert user.role == User.Role.SUPERVISOR


def test_mappings_of_another_source_do_not_apply(agents_mapping):
    user = sign_in(["helpdesk-agents"], source="ldap")
    assert user.role == User.Role.CUSTOMER


def test_a_disabled_directory_user_is_refused_and_loses_the_role(agents_mapping):
    user = sign_in(["helpdesk-agents"])
    # when
    with pytest.raises(services.SignInRefused) as refused:
        sign_in(["helpdesk-agents"], active=False)
    # then
    assert refused.value.message == services.REFUSED_INACTIVE
    user.refresh_from_db()
    assert user.role == User.Role.CUSTOMER
    assert SignIn.objects.latest("id").outcome == "inactive"


def test_a_locally_disabled_account_is_refused(agents_mapping):
    user = sign_in(["helpdesk-agents"])
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(services.SignInRefused):
        sign_in(["helpdesk-agents"])


def test_an_existing_account_is_linked_by_verified_address_only(agents_mapping, alice):
    alice.email = "ada@example.com"
    alice.save()
    # unverified: a new account would take the address, so the sign-in makes one without it
    other = sign_in([], email_verified=False)
    assert other != alice
    assert other.email == ""
    # verified, another identity: linked to alice
    linked = sign_in([], external_id="sub-2")
    assert linked == alice


def test_an_address_linked_to_another_identity_at_the_source_is_refused(agents_mapping):
    sign_in([])
    with pytest.raises(services.SignInRefused) as refused:
        sign_in([], external_id="sub-intruder")
    assert refused.value.message == services.REFUSED_CONFLICT


def test_superusers_keep_their_role(agents_mapping):
    admin = UserFactory(username="root", email="ada@example.com", is_superuser=True)
    sign_in([])
    admin.refresh_from_db()
    assert admin.role == User.Role.SUPERVISOR


def test_provision_runs_in_few_queries(agents_mapping, django_assert_max_num_queries):
    sign_in(["helpdesk-agents"])
    with django_assert_max_num_queries(20):
        sign_in(["helpdesk-agents"])


def test_the_mapping_and_settings_changes_are_audited(agents_mapping, sam):
    from audit.context import acting_as

    with acting_as(sam):
        services.sso_settings_update(staff_passwords_off=False, unmapped="refuse")
    entry = AuditEntry.objects.filter(model="sso.ssosettings").latest("id")
    assert entry.actor == sam
    assert entry.after == {"unmapped": "refuse"}
    assert AuditEntry.objects.filter(model="sso.groupmapping", action="created").exists()


def test_passwords_cannot_be_turned_off_without_a_source(settings):
    settings.HELPDESK_SSO_OIDC_ENABLED = False
    with pytest.raises(services.ApplicationError):
        services.sso_settings_update(staff_passwords_off=True, unmapped="customer")
    assert not sso_settings_get().staff_passwords_off


@pytest.mark.django_db(transaction=True)
def test_two_first_sign_ins_at_once_make_one_account(service_desk):
    import threading

    from django.db import connection

    results, errors = [], []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(sign_in([]).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert User.objects.filter(email="ada@example.com").count() == 1

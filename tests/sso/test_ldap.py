"""LDAP / Active Directory sign-in against a real OpenLDAP server (Debian's slapd, started per test by
``tests/sso/ldap_server.py``): the sign-in form, the group → role / team mapping, people disabled,
locked, deleted or moved out of their groups in the directory, two factors, hostile usernames."""

from __future__ import annotations

import os
import time

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from sso import services
from sso.models import ExternalIdentity, SignIn, SsoSettings
from tests.conftest import IN_CI
from tests.sso import ldap_server
from tests.sso.ldap_server import GROUPS, PEOPLE, LdapServer, Person

REQUIRE = os.environ.get("SSO_TEST_REQUIRE_SERVERS") == "1" or IN_CI

TINA = Person(
    "tina.sso", "pw-Tina-2026", "Tina", "Sommer", "tina.sommer@example.org", ["helpdesk-agents", "network"]
)
SAM = Person("sam.sso", "pw-Sam-2026", "Sam", "Schulz", "sam.schulz@example.org", ["helpdesk-supervisors"])
CARL = Person("carl.sso", "pw-Carl-2026", "Carl", "Conrad", "carl.conrad@example.org", ["all-staff"])
ANNA = Person(
    "anna.ad", "pw-Anna-2026", "Anna", "Adler", "anna.adler@example.org", ["helpdesk-agents"], ad_account=True
)
PEOPLE_IN_DIRECTORY = [TINA, SAM, CARL, ANNA]
DIRECTORY_GROUPS = {
    "helpdesk-agents": "First-level agents",
    "network": "Network specialists",
    "helpdesk-supervisors": "Helpdesk supervisors",
    "all-staff": "Everybody",
}


def _need_slapd() -> None:
    reason = ldap_server.missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"CI: the LDAP tests must run, but {reason}")
        pytest.skip(reason)


@pytest.fixture
def directory():  # noqa: ANN201
    """A fresh slapd with the company's people and groups, stopped after the test."""
    _need_slapd()
    server = LdapServer(PEOPLE_IN_DIRECTORY, DIRECTORY_GROUPS).start()
    try:
        yield server
    finally:
        server.stop()


def use_directory(settings, server: LdapServer) -> None:  # noqa: ANN001
    """The settings LDAP_SERVER_URI & co. would give for ``server`` (helpdesk/settings.py)."""
    from sso.ldap_config import ldap_settings

    values = ldap_settings(
        server_uri=server.uri,
        bind_dn=ldap_server.SERVICE_DN,
        bind_password=ldap_server.SERVICE_PASSWORD,
        user_search_base=PEOPLE,
        user_search_filter="(uid=%(user)s)",
        group_search_base=GROUPS,
        group_type="groupOfNames",
        timeout=3,
    )
    for key, value in values.items():
        setattr(settings, key, value)
    settings.HELPDESK_SSO_LDAP_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "sso.ldap.DirectoryBackend"]


@pytest.fixture
def ldap_on(settings, directory, service_desk, network_team):  # noqa: ANN001, ANN201
    use_directory(settings, directory)
    services.group_mapping_save(source="ldap", group="helpdesk-agents", role="agent", teams=[service_desk])
    services.group_mapping_save(source="ldap", group="network", role="agent", teams=[network_team])
    services.group_mapping_save(source="ldap", group="helpdesk-supervisors", role="supervisor", teams=[])
    cache.clear()  # the sign-in throttle
    yield directory
    cache.clear()


def sign_in(username: str, password: str, client: Client | None = None) -> tuple[Client, object]:
    client = client or Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def ldap_user(person: Person) -> User:
    return ExternalIdentity.objects.select_related("user").get(source="ldap", external_id=person.uid).user


pytestmark = pytest.mark.django_db


def test_a_directory_agent_signs_in_with_the_form_and_gets_role_and_teams_from_the_groups(
    ldap_on, service_desk, network_team
):  # noqa: ANN001
    # when
    client, response = sign_in("tina.sso", TINA.password)
    # then: a new account, an agent of both mapped teams, no local password
    assert response.status_code == 302, response.content[:2000]
    user = ldap_user(TINA)
    assert (user.role, set(user.teams.all())) == (User.Role.AGENT, {service_desk, network_team})
    assert (user.first_name, user.last_name, user.email) == ("Tina", "Sommer", "tina.sommer@example.org")
    assert not user.has_usable_password()
    assert response["Location"] == "/agent/"
    assert client.get("/agent/").status_code == 200
    assert SignIn.objects.filter(user=user, source="ldap", outcome="ok", created=True).count() == 1


def test_the_supervisors_group_makes_a_supervisor_and_a_group_dn_works_as_well(ldap_on, settings):  # noqa: ANN001
    _client, response = sign_in("sam.sso", SAM.password)
    assert response.status_code == 302
    assert ldap_user(SAM).role == User.Role.SUPERVISOR
    # a mapping may name the group by its DN too
    services.group_mapping_save(source="ldap", group=f"cn=all-staff,{GROUPS}", role="agent", teams=[])
    sign_in("carl.sso", CARL.password)
    assert ldap_user(CARL).role == User.Role.AGENT


def test_a_directory_user_in_no_mapped_group_gets_no_staff_role(ldap_on):  # noqa: ANN001
    client, response = sign_in("carl.sso", CARL.password)
    assert response.status_code == 302
    user = ldap_user(CARL)
    assert (user.role, user.teams.count()) == (User.Role.CUSTOMER, 0)
    assert client.get("/agent/").status_code in (403, 404, 302)
    assert response["Location"] != "/agent/"


def test_unmapped_directory_users_are_refused_when_the_settings_say_so(ldap_on, alice):  # noqa: ANN001
    services.sso_settings_update(staff_passwords_off=False, unmapped=SsoSettings.Unmapped.REFUSE)
    _client, response = sign_in("carl.sso", CARL.password)
    assert response.status_code == 200
    assert SignIn.objects.filter(source="ldap", outcome="unmapped").count() == 1
    _client, response = sign_in("tina.sso", TINA.password)  # a mapped one still comes in
    assert response.status_code == 302


def test_a_wrong_password_or_an_unknown_name_signs_nobody_in_and_changes_nothing(ldap_on):  # noqa: ANN001
    sign_in("tina.sso", TINA.password)
    _client, response = sign_in("tina.sso", "wrong-password")
    assert response.status_code == 200  # the form again, with its error
    assert ldap_user(TINA).role == User.Role.AGENT  # an enabled person who mistyped keeps their role
    _client, response = sign_in("nobody", "whatever-2026")
    assert response.status_code == 200
    assert not ExternalIdentity.objects.filter(external_id="nobody").exists()


def test_an_empty_password_never_reaches_the_directory(ldap_on):  # noqa: ANN001
    # An empty password would be an anonymous ("unauthenticated") bind, which many servers accept.
    from django.contrib.auth import authenticate

    assert authenticate(None, username="tina.sso", password="") is None
    assert 'BIND dn="uid=tina.sso' not in ldap_on.log()
    assert not ExternalIdentity.objects.exists()


@pytest.mark.parametrize("username", ["*", "tina.sso)(uid=*", "*)(|(uid=*", "tina.sso\x00", "sam.sso*"])
def test_ldap_filter_injection_in_the_username_signs_nobody_in(ldap_on, username):  # noqa: ANN001
    _client, response = sign_in(username, TINA.password)
    assert response.status_code == 200
    assert not ExternalIdentity.objects.exists()


def test_a_user_locked_in_the_directory_loses_access_at_the_next_sign_in(ldap_on):  # noqa: ANN001
    # given: Tina works, signed in
    old_session, _ = sign_in("tina.sso", TINA.password)
    assert old_session.get("/agent/").status_code == 200
    # when: the directory admin locks her account (ppolicy), and she signs in again
    ldap_on.lock(TINA)
    _client, response = sign_in("tina.sso", TINA.password)
    # then: refused; no staff role or team left; the old session is over too
    assert response.status_code == 200
    user = ldap_user(TINA)
    assert (user.role, user.teams.count()) == (User.Role.CUSTOMER, 0)
    assert old_session.get("/agent/")["Location"].startswith("/accounts/login/")
    assert SignIn.objects.filter(user=user, outcome="inactive").exists()


def test_a_user_deleted_from_the_directory_loses_access_at_the_next_sign_in(ldap_on):  # noqa: ANN001
    old_session, _ = sign_in("sam.sso", SAM.password)
    assert ldap_user(SAM).role == User.Role.SUPERVISOR
    ldap_on.delete(SAM)
    _client, response = sign_in("sam.sso", SAM.password)
    assert response.status_code == 200
    assert ldap_user(SAM).role == User.Role.CUSTOMER
    assert old_session.get("/agent/")["Location"].startswith("/accounts/login/")


def test_an_active_directory_account_disabled_by_user_account_control_is_refused(ldap_on):  # noqa: ANN001
    # given: AD's userAccountControl 512 (normal account)
    _client, response = sign_in("anna.ad", ANNA.password)
    assert response.status_code == 302
    assert ldap_user(ANNA).role == User.Role.AGENT
    # when: 514 = normal + ACCOUNTDISABLE (the bind itself still works on this server)
    ldap_on.set_user_account_control(ANNA, 514)
    _client, response = sign_in("anna.ad", ANNA.password)
    # then: refused, with the reason (she gave the right password)
    assert response.status_code == 200
    assert "Your account is disabled" in response.content.decode()
    assert ldap_user(ANNA).role == User.Role.CUSTOMER


def test_someone_taken_out_of_the_agents_group_is_a_customer_at_the_next_sign_in(ldap_on, network_team):  # noqa: ANN001
    sign_in("tina.sso", TINA.password)
    ldap_on.remove_from_group(TINA, "helpdesk-agents")
    sign_in("tina.sso", TINA.password)
    user = ldap_user(TINA)
    assert (user.role, list(user.teams.all())) == (User.Role.AGENT, [network_team])
    ldap_on.remove_from_group(TINA, "network")
    _client, response = sign_in("tina.sso", TINA.password)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.teams.count()) == (User.Role.CUSTOMER, 0)


def test_with_local_passwords_off_for_staff_directory_staff_still_sign_in(ldap_on, settings, tina):  # noqa: ANN001
    # given: passwords off for staff (possible only with a source configured), a local agent with a password
    services.sso_settings_update(staff_passwords_off=True, unmapped=SsoSettings.Unmapped.CUSTOMER)
    # when / then: the directory agent comes in with the directory password, the local one does not
    _client, response = sign_in("tina.sso", TINA.password)
    assert response.status_code == 302
    _client, response = sign_in("tina", "pw-Secret-123")
    assert response.status_code == 200


def test_two_factors_still_apply_after_the_directory_password(ldap_on):  # noqa: ANN001
    from tests.twofactor.conftest import enable

    sign_in("tina.sso", TINA.password)
    enable(ldap_user(TINA))
    client, response = sign_in("tina.sso", TINA.password)
    assert response.status_code == 302
    # the password alone leads only to the code entry
    assert client.get("/agent/")["Location"].startswith("/accounts/two-factor/verify/")


def test_local_customers_still_sign_in_while_the_directory_is_down(ldap_on, alice):  # noqa: ANN001
    ldap_on.stop()
    started = time.monotonic()
    _client, response = sign_in("alice", "pw-Secret-123")
    assert response.status_code == 302
    _client, response = sign_in("tina.sso", TINA.password)
    assert response.status_code == 200  # refused, not a server error
    assert time.monotonic() - started < 10


def test_a_directory_sign_in_costs_a_bounded_number_of_queries(ldap_on, django_assert_max_num_queries):  # noqa: ANN001
    sign_in("tina.sso", TINA.password)
    client = Client()
    with django_assert_max_num_queries(30) as queries:  # 24 measured
        client.post("/accounts/login/", {"username": "tina.sso", "password": TINA.password})
    print(f"queries of a repeated LDAP sign-in: {len(queries)}")


def test_the_sign_in_page_has_no_sso_button_for_ldap(ldap_on):  # noqa: ANN001
    page = Client().get("/accounts/login/").content.decode()
    assert "/saml2/login/" not in page


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "de"])
def test_playwright_signs_in_with_the_directory_password_on_the_form(browser, live_server, ldap_on, lang):  # noqa: ANN001
    from tests.conftest import SIGN_IN

    context = browser.new_context(locale=lang, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.fill("#id_username", "tina.sso")
    page.fill("#id_password", TINA.password)
    page.get_by_role("button", name=SIGN_IN[lang], exact=True).click()
    page.wait_for_url("**/agent/")
    assert "Tina Sommer" in page.content()
    assert ldap_user(TINA).role == User.Role.AGENT
    # and once the directory locked her, the same password no longer works
    context.clear_cookies()
    ldap_on.lock(TINA)
    page.goto("/accounts/login/")
    page.fill("#id_username", "tina.sso")
    page.fill("#id_password", TINA.password)
    page.get_by_role("button", name=SIGN_IN[lang], exact=True).click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert page.locator(".errorlist, .form-errors, [role=alert]").count() >= 1
    context.close()

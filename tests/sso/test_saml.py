"""SAML 2.0 sign-in through a real pysaml2 identity provider in its own process
(``tests/sso/idp_saml/server.py``) and the helpdesk's live server: signed assertions into the group
mapping; unmapped groups, tampered, unsigned, replayed and foreign-browser responses; two factors;
the button only when configured; Playwright in English and German."""

from __future__ import annotations

import base64
import copy
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from django.core.cache import cache

from accounts.models import User
from sso import services
from sso.models import ExternalIdentity, SsoSettings
from tests.conftest import IN_CI
from tests.sso.idp_saml import process

REQUIRE = os.environ.get("SSO_TEST_REQUIRE_SERVERS") == "1" or IN_CI
SHOTS = Path(os.environ.get("HELPDESK_SHOTS_DIR", "/tmp/h4-shots"))

PEOPLE = {
    "tina": {
        "password": "pw-Tina-2026",
        "name_id": "a1f0-tina",
        "attributes": {
            "mail": ["tina.sommer@example.org"],
            "displayName": ["Tina Sommer"],
            "isMemberOf": ["helpdesk-agents", "all-staff"],
        },
    },
    "sam": {
        "password": "pw-Sam-2026",
        "name_id": "b2e1-sam",
        "attributes": {
            "mail": ["sam.schulz@example.org"],
            "displayName": ["Sam Schulz"],
            "isMemberOf": ["helpdesk-supervisors"],
        },
    },
    "carl": {
        "password": "pw-Carl-2026",
        "name_id": "c3d2-carl",
        "attributes": {
            "mail": ["carl.conrad@example.org"],
            "displayName": ["Carl Conrad"],
            "isMemberOf": ["all-staff"],
        },
    },
    # An IdP misconfigured (or an attacker) sending neither a signed assertion nor a signed response.
    "uma": {
        "password": "pw-Uma-2026",
        "name_id": "d4c3-uma",
        "sign": False,
        "attributes": {
            "mail": ["uma@example.org"],
            "displayName": ["Uma Unsigned"],
            "isMemberOf": ["helpdesk-agents"],
        },
    },
}


def sp_values(base_url: str, idp_url: str) -> dict:
    from sso.saml_config import saml_settings

    return saml_settings(base_url=base_url, idp_metadata_url=f"{idp_url}/metadata", https=False)


@pytest.fixture(scope="session")
def saml_idp(live_server):  # noqa: ANN001, ANN201
    """The test IdP, knowing the live server's SP metadata."""
    reason = process.missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"CI: the SAML tests must run, but {reason}")
        pytest.skip(reason)
    from saml2.config import SPConfig
    from saml2.metadata import entity_descriptor

    # The SP's metadata does not depend on the IdP's: made from the same settings without it.
    config = SPConfig()
    config.load(copy.deepcopy(sp_values(live_server.url, "http://unused")["SAML_CONFIG"]))
    idp = process.TestIdP(str(entity_descriptor(config)))
    idp.set_people(PEOPLE)
    idp.start()
    try:
        yield idp
    finally:
        idp.stop()


@pytest.fixture
def saml_on(settings, live_server, saml_idp, service_desk):  # noqa: ANN001, ANN201
    for key, value in sp_values(live_server.url, saml_idp.url).items():
        setattr(settings, key, value)
    settings.HELPDESK_SSO_SAML_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "sso.saml.SamlBackend"]
    services.group_mapping_save(source="saml", group="helpdesk-agents", role="agent", teams=[service_desk])
    services.group_mapping_save(source="saml", group="helpdesk-supervisors", role="supervisor", teams=[])
    cache.clear()
    yield saml_idp
    cache.clear()


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and not self.action:
            self.action = a.get("action") or ""
        if tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""


def _form(html: str) -> tuple[str, dict[str, str]]:
    parser = _Forms()
    parser.feed(html)
    return parser.action, parser.fields


def to_idp_and_back(base: str, idp, username: str, session: requests.Session | None = None):  # noqa: ANN001, ANN201
    """The browser's way up to the IdP's auto-submitting form: returns the session, the SP's assertion
    consumer URL and the form's fields (SAMLResponse, RelayState)."""
    s = session or requests.Session()
    answer = s.get(f"{base}/saml2/login/", params={"next": "/"}, allow_redirects=False, timeout=20)
    assert answer.status_code == 302, answer.text[:2000]
    assert answer.headers["Location"].startswith(f"{idp.url}/sso/redirect?SAMLRequest=")
    login_page = s.get(answer.headers["Location"], timeout=20)
    assert login_page.status_code == 200, idp.log()
    _action, fields = _form(login_page.text)
    fields.update(username=username, password=PEOPLE[username]["password"])
    posted = s.post(f"{idp.url}/login", data=fields, timeout=20)
    assert posted.status_code == 200, idp.log()
    action, fields = _form(posted.text)
    assert "SAMLResponse" in fields, posted.text[:2000]
    return s, action, fields


def saml_user(name: str) -> User:
    identity = ExternalIdentity.objects.select_related("user").get(
        source="saml", external_id__endswith="!" + PEOPLE[name]["name_id"]
    )
    return identity.user


def test_a_signed_assertion_signs_an_agent_in_with_role_and_team_from_the_groups(
    saml_on, live_server, service_desk
):  # noqa: ANN001
    s, action, fields = to_idp_and_back(live_server.url, saml_on, "tina")
    assert action == f"{live_server.url}/saml2/acs/"
    answer = s.post(action, data=fields, allow_redirects=False, timeout=20)
    assert answer.status_code == 302, answer.text[:3000]
    assert answer.headers["Location"] == "/agent/"
    user = saml_user("tina")
    assert (user.role, list(user.teams.all())) == (User.Role.AGENT, [service_desk])
    assert (user.first_name, user.last_name, user.email) == ("Tina", "Sommer", "tina.sommer@example.org")
    assert s.get(f"{live_server.url}/agent/", allow_redirects=False, timeout=20).status_code == 200


def test_the_supervisors_group_makes_a_supervisor(saml_on, live_server):  # noqa: ANN001
    s, action, fields = to_idp_and_back(live_server.url, saml_on, "sam")
    assert s.post(action, data=fields, allow_redirects=False, timeout=20).status_code == 302
    assert saml_user("sam").role == User.Role.SUPERVISOR


def test_an_assertion_for_an_unmapped_group_gets_no_staff_role(saml_on, live_server):  # noqa: ANN001
    s, action, fields = to_idp_and_back(live_server.url, saml_on, "carl")
    answer = s.post(action, data=fields, allow_redirects=False, timeout=20)
    assert answer.status_code == 302
    user = saml_user("carl")
    assert (user.role, user.teams.count()) == (User.Role.CUSTOMER, 0)
    assert answer.headers["Location"] != "/agent/"


def test_unmapped_people_are_refused_with_the_reason_when_the_settings_say_so(saml_on, live_server):  # noqa: ANN001
    services.sso_settings_update(staff_passwords_off=False, unmapped=SsoSettings.Unmapped.REFUSE)
    s, action, fields = to_idp_and_back(live_server.url, saml_on, "carl")
    answer = s.post(action, data=fields, allow_redirects=False, timeout=20)
    assert answer.status_code == 403
    assert "not allowed to sign in here" in answer.text
    assert s.get(f"{live_server.url}/portal/tickets/", allow_redirects=False, timeout=20).status_code == 302


def test_a_tampered_response_is_refused(saml_on, live_server):  # noqa: ANN001
    # given: Carl rewrites his group in the signed assertion to the supervisors'
    s, action, fields = to_idp_and_back(live_server.url, saml_on, "carl")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert ">all-staff<" in xml
    fields["SAMLResponse"] = base64.b64encode(
        xml.replace(">all-staff<", ">helpdesk-supervisors<").encode()
    ).decode()
    # when
    answer = s.post(action, data=fields, allow_redirects=False, timeout=20)
    # then: refused, nobody signed in, no account made
    assert answer.status_code == 403
    assert not ExternalIdentity.objects.filter(source="saml").exists()
    assert s.get(f"{live_server.url}/agent/", allow_redirects=False, timeout=20).status_code == 302


def test_an_unsigned_response_is_refused(saml_on, live_server):  # noqa: ANN001
    s, action, fields = to_idp_and_back(live_server.url, saml_on, "uma")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "Signature" not in xml
    answer = s.post(action, data=fields, allow_redirects=False, timeout=20)
    assert answer.status_code == 403
    assert not ExternalIdentity.objects.filter(source="saml").exists()


def test_a_replayed_response_is_refused_in_the_same_and_in_another_browser(saml_on, live_server):  # noqa: ANN001
    s, action, fields = to_idp_and_back(live_server.url, saml_on, "tina")
    assert s.post(action, data=fields, allow_redirects=False, timeout=20).status_code == 302
    # when: the same response once more, in the browser that asked for it
    again = s.post(action, data=fields, allow_redirects=False, timeout=20)
    assert again.status_code == 403
    # and in another browser (a captured response, or login CSRF: pushing one's own sign-in into a victim)
    other = requests.Session()
    answer = other.post(action, data=fields, allow_redirects=False, timeout=20)
    assert answer.status_code == 403
    assert other.get(f"{live_server.url}/agent/", allow_redirects=False, timeout=20).status_code == 302


def test_a_response_meant_for_another_browser_is_refused_even_with_its_own_request_open(saml_on, live_server):  # noqa: ANN001
    # given: the attacker's valid response, and a victim who started a sign-in of their own
    _attacker, action, fields = to_idp_and_back(live_server.url, saml_on, "carl")
    victim = requests.Session()
    assert victim.get(f"{live_server.url}/saml2/login/", allow_redirects=False, timeout=20).status_code == 302
    # when
    answer = victim.post(action, data=fields, allow_redirects=False, timeout=20)
    # then
    assert answer.status_code == 403


def test_two_factors_still_apply_after_saml(saml_on, live_server):  # noqa: ANN001
    from tests.twofactor.conftest import enable

    s, action, fields = to_idp_and_back(live_server.url, saml_on, "tina")
    s.post(action, data=fields, allow_redirects=False, timeout=20)
    enable(saml_user("tina"))
    s2, action, fields = to_idp_and_back(live_server.url, saml_on, "tina")
    assert s2.post(action, data=fields, allow_redirects=False, timeout=20).status_code == 302
    agent = s2.get(f"{live_server.url}/agent/", allow_redirects=False, timeout=20)
    assert agent.headers["Location"].startswith("/accounts/two-factor/verify/")


def test_an_unreachable_idp_metadata_url_shows_the_failure_page_not_a_server_error(
    saml_on, live_server, settings
):  # noqa: ANN001
    settings.HELPDESK_SAML_IDP_METADATA_URL = "http://127.0.0.1:9/metadata"  # nothing listens there
    answer = requests.get(f"{live_server.url}/saml2/login/", allow_redirects=False, timeout=20)
    assert answer.status_code == 502
    assert "did not work" in answer.text


@pytest.mark.django_db
def test_without_configuration_there_is_no_button_and_no_saml_route(client, settings):  # noqa: ANN001
    settings.HELPDESK_SSO_SAML_ENABLED = False
    assert "/saml2/login/" not in client.get("/accounts/login/").content.decode()
    assert client.get("/saml2/login/").status_code == 404
    assert client.get("/saml2/metadata/").status_code == 404


def test_the_sp_metadata_names_the_assertion_consumer_service(saml_on, live_server):  # noqa: ANN001
    answer = requests.get(f"{live_server.url}/saml2/metadata/", timeout=20)
    assert answer.status_code == 200
    assert f'Location="{live_server.url}/saml2/acs/"' in answer.text
    assert 'WantAssertionsSigned="true"' in answer.text


# --- the browser ------------------------------------------------------------------------------

TEXT = {
    "en": {"button": "Sign in with SAML", "continue": "Continue", "failed": "Sign-in failed"},
    "de": {"button": "Anmelden mit SAML", "continue": "Weiter", "failed": "Anmeldung fehlgeschlagen"},
}


def shoot(page, name: str, lang: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "de"])
def test_playwright_signs_in_with_the_saml_button_through_the_idp(browser, saml_on, live_server, lang):  # noqa: ANN001
    t = TEXT[lang]
    context = browser.new_context(locale=lang, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    shoot(page, "login-with-saml", lang)
    page.get_by_role("link", name=t["button"]).click()
    page.wait_for_url(f"{saml_on.url}/**")
    page.fill("#idp-username", "tina")
    page.fill("#idp-password", PEOPLE["tina"]["password"])
    page.get_by_role("button", name=t["continue"]).click()
    page.wait_for_url("**/agent/")
    assert "Tina Sommer" in page.content()
    assert saml_user("tina").role == User.Role.AGENT
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "de"])
def test_playwright_a_refused_saml_answer_shows_the_failure_page(browser, saml_on, live_server, lang):  # noqa: ANN001
    t = TEXT[lang]
    context = browser.new_context(locale=lang, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_role("link", name=t["button"]).click()
    page.wait_for_url(f"{saml_on.url}/**")
    page.fill("#idp-username", "uma")  # unsigned
    page.fill("#idp-password", PEOPLE["uma"]["password"])
    page.get_by_role("button", name=t["continue"]).click()
    page.wait_for_url("**/saml2/acs/")
    assert page.get_by_role("heading", name=t["failed"]).is_visible()
    shoot(page, "saml-failed", lang)
    context.close()

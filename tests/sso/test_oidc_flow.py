"""OpenID Connect against the real test provider (django-oauth-toolkit in its own process), over
HTTP: the code flow provisions the person; a forged state, a callback delivered to another browser
(login CSRF), a replayed callback and an id token with another nonce are all refused."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import pytest
import requests
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from accounts.models import User
from sso import services
from sso.models import SignIn
from tests.sso.conftest import IDP_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True)]


def start(rp: requests.Session, live: str) -> str:
    """The helpdesk's redirect to the provider (the authorization URL with state, nonce, PKCE)."""
    response = rp.get(f"{live}/oidc/authenticate/", allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def idp_sign_in(authorize_url: str, username: str) -> str:
    """Signs ``username`` in at the provider; returns the callback URL it sends the browser to."""
    idp = requests.Session()
    login = idp.get(authorize_url, allow_redirects=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', login.text).group(1).replace("&amp;", "&")
    response = idp.post(
        login.url.split("?")[0],
        data={"username": username, "password": IDP_PASSWORD, "csrfmiddlewaretoken": token, "next": next_url},
        headers={"Referer": login.url},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    while True:
        url = response.headers["Location"]
        if "/oidc/callback/" in url:
            return url
        response = idp.get(requests.compat.urljoin(response.url, url), allow_redirects=False)
        assert response.status_code == 302, response.text[:500]


def signed_in(rp: requests.Session, live: str) -> bool:
    # The sign-in page sends signed-in people on to their start page.
    return rp.get(f"{live}/accounts/login/", allow_redirects=False).status_code == 302


def with_param(url: str, **params: str) -> str:
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | params
    return urlunparse(parts._replace(query=urlencode(query)))


@pytest.fixture
def ada(oidc, service_desk):  # noqa: ANN001, ANN201
    services.group_mapping_save(source="oidc", group="helpdesk-agents", role="agent", teams=[service_desk])
    oidc.user("ada", email="ada@example.com", name="Ada Lovelace", groups=["helpdesk-agents"])
    oidc.user("mallory", email="mallory@example.com", name="Mallory Evil", groups=[])
    return oidc


def test_the_code_flow_makes_a_tier1_agent_of_the_mapped_team(ada, live_server, service_desk):
    rp = requests.Session()
    callback = idp_sign_in(start(rp, live_server.url), "ada")
    response = rp.get(callback, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/agent/")
    user = User.objects.get(email="ada@example.com")
    assert (user.role, list(user.teams.all()), user.get_full_name()) == (
        "agent",
        [service_desk],
        "Ada Lovelace",
    )
    assert signed_in(rp, live_server.url)
    assert SignIn.objects.get().source == "oidc"


def test_a_forged_state_is_refused(ada, live_server):
    rp = requests.Session()
    callback = idp_sign_in(start(rp, live_server.url), "ada")
    response = rp.get(with_param(callback, state="forged-state"), allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    assert not signed_in(rp, live_server.url)
    assert not User.objects.filter(email="ada@example.com").exists()


def test_login_csrf_a_callback_delivered_to_another_browser_is_refused(ada, live_server):
    # given: mallory's own flow, stopped before the callback; ada's browser has started a flow too
    attacker = requests.Session()
    callback = idp_sign_in(start(attacker, live_server.url), "mallory")
    victim = requests.Session()
    start(victim, live_server.url)
    # when: ada's browser is made to open mallory's callback
    victim.get(callback, allow_redirects=False)
    # then: not signed in as mallory (the state is not in ada's session)
    assert not signed_in(victim, live_server.url)
    assert not User.objects.filter(email="mallory@example.com").exists()


def test_a_replayed_callback_is_refused(ada, live_server):
    rp = requests.Session()
    callback = idp_sign_in(start(rp, live_server.url), "ada")
    assert rp.get(callback, allow_redirects=False).headers["Location"].startswith("/agent/")
    # when: the same callback again (its state was used up)
    response = rp.get(callback, allow_redirects=False)
    # then: refused, no second sign-in
    assert response.headers["Location"].startswith("/accounts/login/")
    assert SignIn.objects.count() == 1


def test_an_id_token_with_another_nonce_is_refused(ada, live_server):
    rp = requests.Session()
    callback = idp_sign_in(start(rp, live_server.url), "ada")
    # the session's nonce for this state is not the one the provider put into the id token
    state = parse_qs(urlparse(callback).query)["state"][0]
    store = SessionStore(session_key=rp.cookies["sessionid"])
    states = store["oidc_states"]
    states[state]["nonce"] = "a-nonce-this-browser-never-sent"
    store["oidc_states"] = states
    store.save()
    response = rp.get(callback, allow_redirects=False)
    assert response.headers["Location"].startswith("/accounts/login/")
    assert not signed_in(rp, live_server.url)
    assert not User.objects.filter(email="ada@example.com").exists()


def test_two_factors_still_apply_after_single_sign_on(ada, live_server, tina):
    from tests.twofactor.conftest import enable

    # given: tina has an authenticator app; her account has ada's address at the provider
    tina.email = "ada@example.com"
    tina.save()
    enable(tina)
    rp = requests.Session()
    callback = idp_sign_in(start(rp, live_server.url), "ada")
    rp.get(callback, allow_redirects=False)
    # then: signed in, but every page asks for the code first
    response = rp.get(f"{live_server.url}{reverse('tickets:agent_queue')}", allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("twofactor:verify"))


def test_staff_sign_in_through_the_provider_while_passwords_are_off(ada, live_server):
    from sso.models import SsoSettings

    SsoSettings.objects.update_or_create(pk=1, defaults={"staff_passwords_off": True})
    rp = requests.Session()
    response = rp.get(idp_sign_in(start(rp, live_server.url), "ada"), allow_redirects=False)
    assert response.headers["Location"].startswith("/agent/")


def test_with_unmapped_refused_a_person_in_no_mapped_group_is_told_why(ada, live_server):
    from sso.models import SsoSettings

    SsoSettings.objects.update_or_create(pk=1, defaults={"unmapped": SsoSettings.Unmapped.REFUSE})
    rp = requests.Session()
    callback = idp_sign_in(start(rp, live_server.url), "mallory")
    page = rp.get(callback, headers={"Accept-Language": "de"})
    assert page.url.endswith("/accounts/login/")
    assert "Ihr Konto darf sich hier nicht anmelden" in page.text
    assert not signed_in(rp, live_server.url)
    assert SignIn.objects.get().outcome == "unmapped"

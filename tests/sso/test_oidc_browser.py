"""Signing in through the real test OpenID Connect provider in Debian's Chromium, in English and
German: a person in a mapped group becomes a tier-1 agent of the mapped team; a person in no mapped
group is a customer; removed from the group at the provider, the person is a customer at the next
sign-in; deactivated at the provider, they cannot sign in; a forged callback is refused with a
message. Screenshots (1366 and 390 px) of the sign-in page and the supervisors' page go to
$HELPDESK_VAR_DIR/shots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import User
from sso import services
from tests.conftest import signed_in_page
from tests.sso.conftest import IDP_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("HELPDESK_VAR_DIR", "/tmp")) / "shots"
TEXT = {
    "en": {"button": "Sign in with Test IdP", "failed": "Single sign-on failed", "page": "Group mappings"},
    "de": {
        "button": "Anmelden mit Test IdP",
        "failed": "Das Single Sign-on ist fehlgeschlagen",
        "page": "Gruppenzuordnungen",
    },
}


def shoot(page, name: str, lang: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def sso_sign_in(browser, live_server, username: str, lang: str, shot: str = ""):  # noqa: ANN001, ANN201
    """A fresh browser in ``lang``: the sign-in page's SSO button, then the provider's form."""
    context = browser.new_context(locale=lang, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    if shot:
        shoot(page, shot, lang)
    page.get_by_role("link", name=TEXT[lang]["button"]).click()
    page.wait_for_selector("#idp-username")
    page.fill("#idp-username", username)
    page.fill("#idp-password", IDP_PASSWORD)
    page.click("#idp-submit")
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize("lang", ["en", "de"])
def test_signing_in_through_the_provider(browser, live_server, oidc, service_desk, sam, lang):  # noqa: ANN001
    # given: the supervisors' mapping; ada in the mapped group, carl in another one
    services.group_mapping_save(source="oidc", group="helpdesk-agents", role="agent", teams=[service_desk])
    oidc.user("ada", email="ada@example.com", name="Ada Lovelace", groups=["helpdesk-agents", "staff"])
    oidc.user("carl", email="carl@example.com", name="Carl Customer", groups=["staff"])

    # when: ada signs in → a tier-1 agent of the Service Desk, in the agent queue
    page = sso_sign_in(browser, live_server, "ada", lang, shot="sso-login")
    page.wait_for_url(f"**{reverse('tickets:agent_queue')}**")
    ada = User.objects.get(email="ada@example.com")
    assert ada.role == User.Role.AGENT
    assert [(t.name, t.tier) for t in ada.teams.all()] == [("Service Desk", 1)]
    assert "Ada Lovelace" in page.content()
    page.context.close()

    # carl: no mapped group → a customer, in the portal
    page = sso_sign_in(browser, live_server, "carl", lang)
    page.wait_for_url(f"**{reverse('tickets:portal_list')}**")
    assert User.objects.get(email="carl@example.com").role == User.Role.CUSTOMER
    page.context.close()

    # ada removed from the group at the provider → a customer at the next sign-in
    oidc.user("ada", email="ada@example.com", name="Ada Lovelace", groups=["staff"])
    page = sso_sign_in(browser, live_server, "ada", lang)
    page.wait_for_url(f"**{reverse('tickets:portal_list')}**")
    ada.refresh_from_db()
    assert (ada.role, ada.teams.count()) == (User.Role.CUSTOMER, 0)
    page.context.close()

    # ada deactivated at the provider → the provider refuses her, the helpdesk never signs her in
    oidc.user("ada", email="ada@example.com", name="Ada Lovelace", groups=["helpdesk-agents"], active=False)
    page = sso_sign_in(browser, live_server, "ada", lang)
    assert page.url.startswith(oidc.url)
    assert page.locator("#idp-username").is_visible()
    ada.refresh_from_db()
    assert ada.role == User.Role.CUSTOMER
    page.context.close()

    # a forged callback (a state this browser never started) → our sign-in page with a message
    context = browser.new_context(locale=lang, base_url=live_server.url)
    page = context.new_page()
    page.goto("/oidc/authenticate/")  # starts a flow: the session has a state now
    page.goto("/oidc/callback/?code=stolen&state=forged")
    page.wait_for_url("**/accounts/login/**")
    assert TEXT[lang]["failed"] in page.content()
    shoot(page, "sso-refused", lang)
    context.close()

    # the supervisors' page lists the mapping and the sign-ins
    page = signed_in_page(browser, live_server, sam, lang)
    page.goto("/agent/config/sso/")
    assert TEXT[lang]["page"] in page.content()
    assert "helpdesk-agents" in page.content()
    assert "Ada Lovelace" in page.content()
    shoot(page, "sso-config", lang)
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_staff_password_is_refused_with_a_clear_message(browser, live_server, tina, settings, lang):  # noqa: ANN001
    from sso.models import SsoSettings

    settings.HELPDESK_SSO_OIDC_ENABLED = True
    settings.OIDC_ISSUER = "https://login.example.com"
    settings.OIDC_PROVIDER_NAME = "Example"
    SsoSettings.objects.update_or_create(pk=1, defaults={"staff_passwords_off": True})
    page = signed_in_page(browser, live_server, tina, lang)
    message = {
        "en": "Staff sign in with single sign-on",
        "de": "Mitarbeitende melden sich per Single Sign-on an",
    }
    assert message[lang] in page.content()
    assert page.url.endswith("/accounts/login/")
    shoot(page, "sso-password-refused", lang)
    page.context.close()

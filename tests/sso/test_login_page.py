"""The sign-in page shows "Sign in with <name>" only when OpenID Connect is configured."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_no_button_without_a_provider(client, settings):
    settings.HELPDESK_SSO_OIDC_ENABLED = False
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page
    assert 'href="/oidc/authenticate/"' not in page


def test_the_button_names_the_provider(client, settings):
    settings.HELPDESK_SSO_OIDC_ENABLED = True
    settings.OIDC_ISSUER = "https://login.example.com/realms/staff"
    settings.OIDC_PROVIDER_NAME = ""
    page = client.get("/accounts/login/?next=/agent/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Anmelden mit login.example.com" in page
    assert 'href="/oidc/authenticate/?next=/agent/"' in page


def test_starting_without_a_provider_goes_back_to_the_sign_in_page(client, settings):
    settings.HELPDESK_SSO_OIDC_ENABLED = False
    response = client.get("/oidc/authenticate/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")

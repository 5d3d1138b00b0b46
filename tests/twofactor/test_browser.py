"""End to end in Debian's Chromium (en and de): turn two factors on with a code computed from the key
the page shows, sign out, sign in with the app's code, then with a recovery code; an API token made,
shown once and revoked. Screenshots of every page at 1366 and 390 px go to $HELPDESK_VAR_DIR/shots."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from apitokens.models import ApiToken
from tests.conftest import SIGN_IN, signed_in_page
from twofactor import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"  # tests/factories.py
SHOTS = Path(os.environ.get("HELPDESK_VAR_DIR", "/tmp")) / "shots"

TEXT = {
    "en": {
        "turn_on": "Turn on",
        "saved": "I have saved them",
        "verify": "Verify",
        "sign_out": "Sign out",
        "create": "Create token",
        "revoke": "Revoke Monitoring",
        "codes": "Recovery codes",
        "left": "Recovery codes left: 9",
        "revoked": "was revoked",
    },
    "de": {
        "turn_on": "Einschalten",
        "saved": "Ich habe sie gespeichert",
        "verify": "Bestätigen",
        "sign_out": "Abmelden",
        "create": "Token erstellen",
        "revoke": "Monitoring widerrufen",
        "codes": "Wiederherstellungscodes",
        "left": "Verbleibende Wiederherstellungscodes: 9",
        "revoked": "wurde widerrufen",
    },
}


def code_at(key_b32: str, at: float) -> str:
    totp = TOTP(base64.b32decode(key_b32))
    totp.time = at
    return f"{totp.token():06d}"


def shoot(page, name: str, lang: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def sign_in_with_password(page, user, lang: str) -> None:  # noqa: ANN001
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=SIGN_IN[lang], exact=True).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_two_factors_on_then_sign_in_with_the_app_and_with_a_recovery_code(browser, live_server, alice, lang):  # noqa: ANN001
    t = TEXT[lang]
    page = signed_in_page(browser, live_server, alice, lang, PASSWORD)
    page.goto("/accounts/two-factor/")
    shoot(page, "2fa-overview-off", lang)
    # given: the setup page's key, turned into the app's code by the test
    page.goto("/accounts/two-factor/setup/")
    assert page.locator(".qr svg").count() == 1
    key = page.inner_text("[data-testid=manual-key]").replace(" ", "")
    shoot(page, "2fa-setup", lang)
    # The setup takes the current step's code and the sign-in the next step's: django-otp refuses a
    # step already used, and accepts one step of drift, so a slow machine cannot make either stale.
    now = time.time()
    page.fill("#id_code", code_at(key, now))
    page.get_by_role("button", name=t["turn_on"]).click()
    codes = page.locator("[data-testid=recovery-codes] li").all_inner_texts()
    assert len(codes) == 10
    shoot(page, "2fa-recovery-codes", lang)
    page.get_by_role("link", name=t["saved"]).click()
    page.wait_for_url("**/accounts/two-factor/")
    shoot(page, "2fa-overview-on", lang)
    # when: signing out and in again, the password alone is not enough
    page.get_by_role("button", name=t["sign_out"]).click()
    sign_in_with_password(page, alice, lang)
    assert "/accounts/two-factor/verify/" in page.url
    shoot(page, "2fa-verify", lang)
    page.fill("#id_code", code_at(key, now + 30))
    page.get_by_role("button", name=t["verify"]).click()
    page.wait_for_url("**/portal/tickets/")
    # then: with a recovery code too, once
    page.get_by_role("button", name=t["sign_out"]).click()
    sign_in_with_password(page, alice, lang)
    page.fill("#id_code", codes[0])
    page.get_by_role("button", name=t["verify"]).click()
    page.wait_for_url("**/portal/tickets/")
    assert t["left"] in page.inner_text(".messages")
    page.get_by_role("button", name=t["sign_out"]).click()
    sign_in_with_password(page, alice, lang)
    page.fill("#id_code", codes[0])
    page.get_by_role("button", name=t["verify"]).click()
    assert "/accounts/two-factor/verify/" in page.url
    assert page.locator(".errorlist").count() == 1
    shoot(page, "2fa-verify-error", lang)
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_api_token_is_shown_once_and_revoked(browser, live_server, tina, lang):  # noqa: ANN001
    t = TEXT[lang]
    page = signed_in_page(browser, live_server, tina, lang, PASSWORD)
    page.goto("/accounts/tokens/")
    shoot(page, "tokens-empty", lang)
    page.fill("#id_name", "Monitoring")
    page.locator("input[name=scope][value=read]").check()
    page.select_option("#id_expires_in_days", "30")
    page.get_by_role("button", name=t["create"]).click()
    raw = page.inner_text("[data-testid=new-token]").strip()
    assert raw.startswith("hd_")
    token = ApiToken.objects.get(user=tina)
    assert token.scope == "read"
    assert raw not in token.digest
    shoot(page, "tokens-created", lang)
    # the token is not on the page again
    page.goto("/accounts/tokens/")
    assert raw not in page.content()
    page.get_by_role("button", name=t["revoke"]).click()
    assert t["revoked"] in page.inner_text(".messages")
    token.refresh_from_db()
    assert token.revoked_at is not None
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_supervisor_resets_someones_two_factors(browser, live_server, sam, alice, lang):  # noqa: ANN001
    device = services.totp_setup_start(user=alice)
    totp = TOTP(device.bin_key)
    services.totp_setup_confirm(user=alice, code=f"{totp.token():06d}")
    page = signed_in_page(browser, live_server, sam, lang, PASSWORD)
    page.goto("/accounts/two-factor/people/")
    shoot(page, "2fa-people", lang)
    page.locator("form[action$='/reset/'] button").click()
    page.wait_for_load_state()
    assert "Alice" in page.inner_text(".messages")
    assert not services.TOTPDevice.objects.filter(user=alice).exists()
    page.context.close()

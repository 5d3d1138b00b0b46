"""When credentials change, the person's sessions end on every device (issue #14): a supervisor's
two-factor reset, turning two factors on or off, a new password, an account turned off. Each test
signs the person in on two browsers (two Django test clients) and looks at both through HTTP."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from apitokens.models import ApiToken
from apitokens.services import api_token_create
from tests.twofactor.conftest import code_for, enable
from twofactor.session import REMEMBER_COOKIE

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"
VERIFY = "/accounts/two-factor/verify/"
PAGE = "/portal/tickets/"
LOGIN = "/accounts/login/"


def sign_in(client: Client, user, password: str = PASSWORD):  # noqa: ANN001, ANN201
    return client.post(LOGIN, {"username": user.username, "password": password})


def browser(user, device=None, remember: bool = False) -> Client:  # noqa: ANN001
    """A browser signed in with the password (and the code, when ``device`` is given)."""
    client = Client()
    assert sign_in(client, user).status_code == 302
    if device is not None:
        data = {"code": code_for(device)} | ({"remember": "on"} if remember else {})
        # Each browser gets its own fresh code: one step later than the last one used.
        with time_machine.travel(time.time() + 30 * browser.step, tick=True):
            data["code"] = code_for(device, time.time())
            assert client.post(VERIFY, data).status_code == 302
        browser.step += 1
    assert client.get(PAGE).status_code == 200
    return client


browser.step = 0


@pytest.fixture(autouse=True)
def _steps():  # noqa: ANN202
    browser.step = 0


def signed_out(client: Client) -> bool:
    response = client.get(PAGE)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_supervisors_reset_ends_every_session_and_revokes_the_tokens(alice, sam):
    device, _ = enable(alice)
    laptop, phone = browser(alice, device), browser(alice, device, remember=True)
    _token, raw = api_token_create(user=alice, name="Script", scope=ApiToken.Scope.WRITE)
    assert bearer(raw).get("/api/v1/users/me/").status_code == 200
    supervisor = Client()
    supervisor.force_login(sam)
    # when
    response = supervisor.post(f"/accounts/two-factor/people/{alice.pk}/reset/", follow=True)
    # then: both of alice's browsers are signed out, the token is dead, the supervisor is still in
    assert "signed out everywhere" in response.content.decode()
    assert signed_out(laptop)
    assert signed_out(phone)
    assert bearer(raw).get("/api/v1/users/me/").status_code == 401
    assert supervisor.get("/accounts/two-factor/people/").status_code == 200
    # the remembered browser signs in again with the password only (she has no second factor now),
    # and after a new setup its old cookie counts for nothing
    alice.refresh_from_db()
    device, _ = enable(alice)
    assert sign_in(phone, alice)["Location"] != VERIFY
    assert phone.get(PAGE)["Location"].startswith(VERIFY)


def test_the_api_reset_ends_the_sessions_too(alice, sam, api_as):
    device, _ = enable(alice)
    laptop = browser(alice, device)
    assert api_as(sam).post(f"/api/v1/users/{alice.pk}/two-factor/reset/").status_code == 204
    assert signed_out(laptop)


def test_turning_two_factors_off_keeps_this_browser_and_ends_the_others(alice):
    device, _ = enable(alice)
    laptop, phone = browser(alice, device), browser(alice, device)
    _token, raw = api_token_create(user=alice, name="Script")
    # when: on the laptop, with a fresh code
    with time_machine.travel(time.time() + 90, tick=True):
        response = laptop.post("/accounts/two-factor/disable/", {"code": code_for(device, time.time())})
    # then
    assert response.status_code == 302
    assert laptop.get(PAGE).status_code == 200
    assert signed_out(phone)
    # her own choice, proved with a code: her tokens keep working (docs/two-factor.md)
    assert bearer(raw).get("/api/v1/users/me/").status_code == 200


def test_turning_two_factors_on_ends_the_sessions_signed_in_without_them(alice):
    laptop, phone = browser(alice), browser(alice)
    laptop.get("/accounts/two-factor/setup/")
    device = alice.totpdevice_set.get()
    # when
    response = laptop.post("/accounts/two-factor/setup/", {"code": code_for(device)})
    # then: the phone never gave a code, so it is out; the laptop stays
    assert response.status_code == 200
    assert laptop.get(PAGE).status_code == 200
    assert signed_out(phone)


def test_a_new_password_ends_the_sessions_and_the_remembered_browsers(alice):
    device, _ = enable(alice)
    laptop, phone = browser(alice, device), browser(alice, device, remember=True)
    assert REMEMBER_COOKIE in phone.cookies
    # when
    alice.set_password("pw-Other-456")
    alice.save()
    # then
    assert signed_out(laptop)
    assert signed_out(phone)
    # the remembered browser asks for the code again after signing in with the new password
    assert sign_in(phone, alice, "pw-Other-456").status_code == 302
    assert phone.get(PAGE)["Location"].startswith(VERIFY)


def test_a_remembered_browser_still_skips_the_code_while_nothing_changed(alice):
    device, _ = enable(alice)
    phone = browser(alice, device, remember=True)
    phone.post("/accounts/logout/")
    sign_in(phone, alice)
    assert phone.get(PAGE).status_code == 200


def test_an_account_turned_off_stays_signed_out_and_tokenless_when_turned_on_again(alice):
    laptop = browser(alice)
    _token, raw = api_token_create(user=alice, name="Script")
    # when
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    # then
    assert signed_out(laptop)
    assert bearer(raw).get("/api/v1/users/me/").status_code == 401
    # turned on again: the old session and the token stay dead
    alice.is_active = True
    alice.save()
    assert signed_out(laptop)
    assert bearer(raw).get("/api/v1/users/me/").status_code == 401
    assert ApiToken.objects.get(user=alice).revoked_at is not None
    assert sign_in(Client(), alice).status_code == 302


def test_sessions_from_before_the_epoch_stay_valid(alice):
    """Deploying the epoch signs nobody out: at 0 the session hash is Django's own."""
    from django.contrib.auth.base_user import AbstractBaseUser

    assert alice.session_epoch == 0
    assert alice.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(alice)


def test_the_reset_names_the_supervisor_on_each_revoked_token_even_outside_a_request(alice, sam):
    from audit.models import AuditEntry
    from twofactor.services import two_factor_reset

    enable(alice)
    api_token_create(user=alice, name="Script")
    # when: e.g. from a command, with no request to read the actor from
    assert two_factor_reset(user=alice, by=sam) == 1
    # then
    (revoked,) = AuditEntry.objects.filter(action="token_revoke", object_id=str(alice.pk))
    (reset,) = AuditEntry.objects.filter(action="2fa_reset", object_id=str(alice.pk))
    assert revoked.actor == sam
    assert (reset.actor, reset.details) == (sam, {"tokens_revoked": 1, "sessions_ended": True})
    assert revoked.details["token_name"] == "Script"

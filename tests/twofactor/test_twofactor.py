"""Two-factor authentication: setup, the code at sign-in (browser and API), recovery codes, throttling,
remembered browsers, staff enforcement and the supervisors' reset."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.apis import OTP_REQUIRED
from apitokens.services import api_token_create
from helpdesk.errors import ApplicationError
from tests.twofactor.conftest import code_for, enable
from twofactor import services
from twofactor.services import THROTTLED, WRONG_CODE, TooManyAttempts
from twofactor.session import REMEMBER_COOKIE

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"
LOGIN = "/api/v1/auth/token/"
VERIFY = "/accounts/two-factor/verify/"


def sign_in(client: Client, user, next_url: str = ""):  # noqa: ANN001, ANN201
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


# --- services ---------------------------------------------------------------------------------


def test_setup_needs_a_right_code_and_gives_ten_one_time_recovery_codes(alice):
    device = services.totp_setup_start(user=alice)
    assert not device.confirmed
    with pytest.raises(ApplicationError):
        services.totp_setup_confirm(user=alice, code="000000" if code_for(device) != "000000" else "111111")
    codes = services.totp_setup_confirm(user=alice, code=code_for(device))
    assert len(codes) == 10
    assert len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    # a setup while on is refused
    with pytest.raises(ApplicationError):
        services.totp_setup_start(user=alice)


def test_a_totp_code_is_accepted_once(alice):
    device, _codes = enable(alice)
    code = code_for(device)
    assert services.two_factor_check(user=alice, code=code).pk == device.pk
    with pytest.raises(ApplicationError):
        services.two_factor_check(user=alice, code=code)


def test_a_recovery_code_is_used_up(alice):
    _device, codes = enable(alice)
    assert services.two_factor_check(user=alice, code=codes[0].upper()) is not None  # case does not matter
    with pytest.raises(ApplicationError):
        services.two_factor_check(user=alice, code=codes[0])
    assert StaticToken.objects.filter(device__user=alice).count() == 9


def test_five_wrong_codes_in_five_minutes_block_even_the_right_code(alice, settings):
    assert settings.HELPDESK_2FA_MAX_FAILURES == 5
    assert timedelta(minutes=5) == settings.HELPDESK_2FA_WINDOW
    device, codes = enable(alice)
    for _ in range(5):
        with pytest.raises(ApplicationError) as wrong:
            services.two_factor_check(user=alice, code="12345x")
        assert wrong.value.message == str(WRONG_CODE)
    # then: the right TOTP code and a recovery code are both refused, and the code is not used up
    with pytest.raises(TooManyAttempts) as blocked:
        services.two_factor_check(user=alice, code=code_for(device))
    assert blocked.value.message == str(THROTTLED)
    with pytest.raises(TooManyAttempts):
        services.two_factor_check(user=alice, code=codes[0])
    assert StaticToken.objects.filter(device__user=alice, token=codes[0]).exists()


def test_after_the_window_the_right_code_works_again(alice, settings):
    settings.HELPDESK_2FA_WINDOW = timedelta(seconds=2)  # the cache's own expiry: real time, not a fake clock
    _device, codes = enable(alice)
    for _ in range(5):
        with pytest.raises(ApplicationError):
            services.two_factor_check(user=alice, code="000000x")
    with pytest.raises(TooManyAttempts):
        services.two_factor_check(user=alice, code=codes[0])
    time.sleep(2.5)
    assert services.two_factor_check(user=alice, code=codes[0]) is not None


def test_the_throttle_is_per_person(alice, bob):
    enable(alice)
    bob_device, _ = enable(bob)
    for _ in range(5):
        with pytest.raises(ApplicationError):
            services.two_factor_check(user=alice, code="000000")
    assert services.two_factor_check(user=bob, code=code_for(bob_device)) is not None


def test_a_supervisors_reset_removes_the_devices(alice, sam):
    enable(alice)
    services.two_factor_reset(user=alice, by=sam)
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticToken.objects.filter(device__user=alice).exists()


# --- the browser sign-in ----------------------------------------------------------------------


def test_without_two_factors_sign_in_is_unchanged(alice):
    client = Client()
    response = sign_in(client, alice)
    assert response.status_code == 302
    assert not response["Location"].startswith(VERIFY)
    assert client.get("/portal/tickets/").status_code == 200


def test_with_two_factors_nothing_opens_before_the_code(alice):
    device, _ = enable(alice)
    client = Client()
    # when: the password is right
    response = sign_in(client, alice, next_url="/portal/new/")
    # then: every page (and the API with the session) waits for the code
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith(VERIFY)
    assert client.get("/portal/tickets/")["Location"].startswith(VERIFY)
    assert client.get("/api/v1/users/me/").status_code == 403
    assert client.get("/accounts/tokens/")["Location"].startswith(VERIFY)
    # a wrong code: a form error
    wrong = client.post(VERIFY, {"code": "abc", "next": "/portal/new/"})
    assert wrong.status_code == 400
    assert "This code is not valid." in wrong.content.decode()
    # the right code: in, and on to where they were going
    right = client.post(VERIFY, {"code": code_for(device), "next": "/portal/new/"})
    assert right.status_code == 302
    assert right["Location"] == "/portal/new/"
    assert client.get("/portal/tickets/").status_code == 200
    assert client.get("/api/v1/users/me/").status_code == 200
    assert REMEMBER_COOKIE not in right.cookies


def test_the_verify_page_keeps_next_on_our_host(alice):
    device, _ = enable(alice)
    client = Client()
    sign_in(client, alice)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/tickets/"


def test_a_recovery_code_signs_in_once(alice):
    _device, codes = enable(alice)
    first = Client()
    sign_in(first, alice)
    assert first.post(VERIFY, {"code": codes[3]}).status_code == 302
    second = Client()
    sign_in(second, alice)
    assert second.post(VERIFY, {"code": codes[3]}).status_code == 400


def test_the_browser_verify_step_is_throttled(alice):
    device, _ = enable(alice)
    client = Client()
    sign_in(client, alice)
    statuses = [client.post(VERIFY, {"code": "999999x"}).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 429
    assert client.get("/portal/tickets/")["Location"].startswith(VERIFY)


def test_a_remembered_browser_skips_the_code_until_the_reset(alice, sam):
    device, _ = enable(alice)
    client = Client()
    sign_in(client, alice)
    response = client.post(VERIFY, {"code": code_for(device), "remember": "on"})
    assert REMEMBER_COOKIE in response.cookies
    assert response.cookies[REMEMBER_COOKIE]["httponly"]
    client.post("/accounts/logout/")
    # when: the same browser signs in again
    again = sign_in(client, alice)
    assert not again["Location"].startswith(VERIFY)
    assert client.get("/portal/tickets/").status_code == 200
    # the cookie is bound to alice: bob with alice's cookie still needs his own code
    client.post("/accounts/logout/")
    # after a reset and a new setup the old cookie counts for nothing
    services.two_factor_reset(user=alice, by=sam)
    enable(alice)
    sign_in(client, alice)
    assert client.get("/portal/tickets/")["Location"].startswith(VERIFY)


def test_a_remembered_browser_cookie_is_bound_to_the_person(alice, bob):
    alice_device, _ = enable(alice)
    enable(bob)
    client = Client()
    sign_in(client, alice)
    client.post(VERIFY, {"code": code_for(alice_device), "remember": "on"})
    client.post("/accounts/logout/")
    sign_in(client, bob)
    assert client.get("/portal/tickets/")["Location"].startswith(VERIFY)


def test_a_remembered_browser_expires(alice, settings):
    settings.HELPDESK_2FA_REMEMBER_DAYS = 1
    device, _ = enable(alice)
    client = Client()
    sign_in(client, alice)
    client.post(VERIFY, {"code": code_for(device), "remember": "on"})
    client.post("/accounts/logout/")
    value = client.cookies[REMEMBER_COOKIE].value
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert not services.remember_cookie_valid(user=alice, value=value)
    assert services.remember_cookie_valid(user=alice, value=value)
    assert not services.remember_cookie_valid(user=alice, value=value + "x")


def test_setup_page_shows_a_qr_code_and_the_key_and_turns_it_on(alice):
    client = Client()
    client.force_login(alice)
    page = client.get("/accounts/two-factor/setup/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    import base64

    key = base64.b32encode(device.bin_key).decode()
    assert key[:4] + " " + key[4:8] in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000x"})
    assert wrong.status_code == 400
    done = client.post("/accounts/two-factor/setup/", {"code": code_for(device)})
    assert done.status_code == 200
    codes = [t.token for t in StaticToken.objects.filter(device__user=alice)]
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    # the session that set it up stays signed in
    assert client.get("/portal/tickets/").status_code == 200


def test_turning_off_needs_a_code(alice):
    device, _ = enable(alice)
    client = Client()
    client.force_login(alice)
    client.post(VERIFY, {"code": code_for(device)})
    with time_machine.travel(time.time() + 30):
        client.post("/accounts/two-factor/disable/", {"code": "000000x"})
        assert TOTPDevice.objects.filter(user=alice).exists()
        client.post("/accounts/two-factor/disable/", {"code": code_for(device)})
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_new_recovery_codes_replace_the_old(alice):
    device, codes = enable(alice)
    client = Client()
    client.force_login(alice)
    client.post(VERIFY, {"code": code_for(device)})
    with time_machine.travel(time.time() + 30):
        response = client.post("/accounts/two-factor/recovery-codes/", {"code": code_for(device)})
    assert response.status_code == 200
    new = set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(new) == 10
    assert not new & set(codes)


# --- staff enforcement --------------------------------------------------------------------------


def test_staff_without_a_device_are_sent_to_the_setup_when_required(tina, alice, settings):
    settings.HELPDESK_REQUIRE_2FA_FOR_STAFF = True
    client = Client()
    response = sign_in(client, tina)
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith("/accounts/two-factor/setup/")
    assert client.get("/accounts/two-factor/setup/").status_code == 200
    assert client.get("/api/v1/users/me/").status_code == 403
    # customers are not forced
    customer = Client()
    sign_in(customer, alice)
    assert customer.get("/portal/tickets/").status_code == 200
    # once set up, the queue opens
    device = TOTPDevice.objects.get(user=tina, confirmed=False)
    client.post("/accounts/two-factor/setup/", {"code": code_for(device)})
    assert client.get("/agent/").status_code == 200


def test_staff_tokens_and_api_login_need_two_factors_when_required(tina, settings):
    _token, raw = api_token_create(user=tina, name="Old")
    settings.HELPDESK_REQUIRE_2FA_FOR_STAFF = True
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/users/me/").status_code == 403
    assert APIClient().post(LOGIN, {"username": "tina", "password": PASSWORD}).status_code == 403
    enable(tina)
    assert client.get("/api/v1/users/me/").status_code == 200


def test_staff_may_not_turn_it_off_when_required(tina, settings):
    settings.HELPDESK_REQUIRE_2FA_FOR_STAFF = True
    device, _ = enable(tina)
    client = Client()
    client.force_login(tina)
    client.post(VERIFY, {"code": code_for(device)})
    with time_machine.travel(time.time() + 30):
        client.post("/accounts/two-factor/disable/", {"code": code_for(device)})
    assert TOTPDevice.objects.filter(user=tina, confirmed=True).exists()


# --- the API login --------------------------------------------------------------------------------


def test_the_api_login_asks_for_the_second_factor(alice):
    device, codes = enable(alice)
    missing = APIClient().post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert missing.status_code == 400
    assert missing.json() == {"otp": [str(OTP_REQUIRED)]}
    wrong = APIClient().post(LOGIN, {"username": "alice", "password": PASSWORD, "otp": "000000x"})
    assert wrong.status_code == 400
    assert wrong.json() == {"otp": [str(WRONG_CODE)]}
    right = APIClient().post(LOGIN, {"username": "alice", "password": PASSWORD, "otp": code_for(device)})
    assert right.status_code == 200
    recovery = APIClient().post(LOGIN, {"username": "alice", "password": PASSWORD, "otp": codes[0]})
    assert recovery.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {recovery.json()['token']}")
    assert client.get("/api/v1/users/me/").status_code == 200


def test_the_api_login_code_is_throttled_per_person(alice):
    device, _ = enable(alice)
    statuses = [
        APIClient(REMOTE_ADDR=f"10.9.0.{n}")
        .post(LOGIN, {"username": "alice", "password": PASSWORD, "otp": "000000x"})
        .status_code
        for n in range(5)
    ]
    assert statuses == [400] * 5
    blocked = APIClient().post(LOGIN, {"username": "alice", "password": PASSWORD, "otp": code_for(device)})
    assert blocked.status_code == 429
    assert blocked.json() == {"otp": [str(THROTTLED)]}


def test_the_api_reset_is_for_supervisors(alice, tina, sam, api_as):
    enable(alice)
    assert api_as(tina).post(f"/api/v1/users/{alice.pk}/two-factor/reset/").status_code == 403
    assert TOTPDevice.objects.filter(user=alice).exists()
    assert api_as(sam).post(f"/api/v1/users/{alice.pk}/two-factor/reset/").status_code == 204
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert api_as(alice).get("/api/v1/two-factor/").json() == {"enabled": False, "recovery_codes_left": 0}


def test_the_reset_page_is_for_supervisors(alice, tina, sam):
    enable(alice)
    agent = Client()
    agent.force_login(tina)
    assert agent.get("/accounts/two-factor/people/").status_code == 403
    assert agent.post(f"/accounts/two-factor/people/{alice.pk}/reset/").status_code == 403
    supervisor = Client()
    supervisor.force_login(sam)
    page = supervisor.get("/accounts/two-factor/people/")
    assert "Alice" in page.content.decode()
    assert supervisor.post(f"/accounts/two-factor/people/{alice.pk}/reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_recovery_code_used_by_parallel_requests_lets_one_in(alice):
    import threading

    from django.db import connection as conn

    _device, codes = enable(alice)
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def attempt() -> None:
        barrier.wait()
        try:
            services.two_factor_check(user=alice, code=codes[0])
            results.append(True)
        except ApplicationError:
            results.append(False)
        finally:
            conn.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]

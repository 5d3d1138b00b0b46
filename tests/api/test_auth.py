from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.apis import BAD_CREDENTIALS

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
PASSWORD = "pw-Secret-123"  # tests/factories.py


@pytest.fixture
def login_rate(settings):  # noqa: ANN001, ANN201
    """A low login rate, and an empty throttle cache before and after."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"},
    }
    cache.clear()
    yield
    cache.clear()


def test_a_token_for_a_valid_login_works_in_the_authorization_header(alice):
    # when
    response = APIClient().post(URL, {"username": "alice", "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_each_login_issues_a_new_personal_token_and_both_work(alice):
    # Tokens are stored hashed (issue #14): a login cannot hand out an earlier one again.
    first = APIClient().post(URL, {"username": "alice", "password": PASSWORD}).json()["token"]
    second = APIClient().post(URL, {"username": "alice", "password": PASSWORD}).json()["token"]
    assert first != second
    for token in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get("/api/v1/users/me/").status_code == 200


def test_unknown_user_wrong_password_and_inactive_account_get_the_same_answer(alice, bob):
    # given
    bob.is_active = False
    bob.save()
    # when
    answers = [
        APIClient().post(URL, {"username": "nobody", "password": PASSWORD}),
        APIClient().post(URL, {"username": "alice", "password": "wrong"}),
        APIClient().post(URL, {"username": "bob", "password": PASSWORD}),
    ]
    # then
    assert {r.status_code for r in answers} == {400}
    assert all(r.json() == {"non_field_errors": [BAD_CREDENTIALS]} for r in answers)


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "alice"}, {"password": PASSWORD}, {"username": ["alice"], "password": PASSWORD}],
)
def test_missing_or_malformed_fields_are_field_errors(alice, body):
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"username", "password"}


def test_a_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/users/me/").status_code == 401


def test_attempts_for_one_account_are_throttled_across_addresses(alice, login_rate):
    # given: three wrong passwords from three addresses
    for n in range(3):
        response = APIClient(REMOTE_ADDR=f"10.0.0.{n}").post(URL, {"username": "alice", "password": "x"})
        assert response.status_code == 400
    # when: the right password from a fourth address (also for a differently-cased name)
    response = APIClient(REMOTE_ADDR="10.0.0.9").post(URL, {"username": "ALICE", "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_attempts_from_one_address_are_throttled_across_accounts(alice, login_rate):
    for name in ("u1", "u2", "u3"):
        assert (
            APIClient(REMOTE_ADDR="10.1.1.1").post(URL, {"username": name, "password": "x"}).status_code
            == 400
        )
    response = APIClient(REMOTE_ADDR="10.1.1.1").post(URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    # another address and account is unaffected
    response = APIClient(REMOTE_ADDR="10.1.1.2").post(URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200


def test_throttling_does_not_reveal_whether_an_account_exists(alice, login_rate):
    answers = []
    for name in ("alice", "ghost"):
        for n in range(4):
            answers.append(
                (
                    name,
                    APIClient(REMOTE_ADDR=f"10.2.{len(name)}.{n}").post(
                        URL, {"username": name, "password": "x"}
                    ),
                )
            )
    codes = {name: [r.status_code for n, r in answers if n == name] for name in ("alice", "ghost")}
    assert codes["alice"] == codes["ghost"] == [400, 400, 400, 429]


def test_errors_speak_german_when_asked(alice):
    response = APIClient().post(URL, {"username": "alice", "password": "x"}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.json() == {
        "non_field_errors": ["Mit den angegebenen Zugangsdaten ist keine Anmeldung möglich."]
    }

"""Personal API tokens: hashed storage, Bearer authentication, scopes, expiry, revocation, last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apitokens.models import ApiToken
from apitokens.services import NAME_TAKEN, api_token_check, api_token_create

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_plain_token_is_nowhere_in_the_database(alice):
    # when
    token, raw = api_token_create(user=alice, name="Script", scope="write")
    # then: every text column of every token row, and a dump of the table, lack the secret
    assert raw.startswith(f"hd_{token.prefix}_")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in [str(v) for v in row.values()]
    secret = raw.rsplit("_", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM apitokens_apitoken")
        dump = repr(cursor.fetchall())
    assert secret not in dump
    assert len(token.digest) == 64


def test_a_bearer_token_signs_in_and_the_old_token_keyword_works_too(alice):
    _token, raw = api_token_create(user=alice, name="Script")
    assert bearer(raw).get("/api/v1/users/me/").json()["username"] == "alice"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/users/me/").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer hd_nope_nope", "Bearer x", "Bearer", "Bearer a b", "Bearer hd_abc"],
)
def test_bad_tokens_are_401_with_a_bearer_challenge(alice, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/users/me/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_right_prefix_with_a_wrong_secret_is_refused(alice):
    token, raw = api_token_create(user=alice, name="Script")
    forged = f"hd_{token.prefix}_{'A' * 43}"
    assert bearer(forged).get("/api/v1/users/me/").status_code == 401
    assert api_token_check(raw=raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None


def test_a_read_only_token_reads_but_gets_403_on_every_unsafe_method(alice):
    _token, raw = api_token_create(user=alice, name="Reader", scope="read")
    client = bearer(raw)
    assert client.get("/api/v1/tickets/").status_code == 200
    response = client.post("/api/v1/tickets/", {"subject": "Printer", "description": "Jammed"})
    assert response.status_code == 403
    assert client.post("/api/v1/tokens/", {"name": "escalate me", "scope": "write"}).status_code == 403
    assert client.delete(f"/api/v1/tokens/{_token.pk}/").status_code == 403
    assert client.patch("/api/v1/tickets/1/", {"urgency": 1}).status_code == 403


def test_a_write_token_may_create_a_ticket(alice):
    _token, raw = api_token_create(user=alice, name="Writer", scope="write")
    response = bearer(raw).post("/api/v1/tickets/", {"subject": "Printer", "description": "Jammed"})
    assert response.status_code == 201


def test_an_expired_token_is_refused(alice):
    _token, raw = api_token_create(user=alice, name="Short", expires_in_days=1)
    assert bearer(raw).get("/api/v1/users/me/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        assert bearer(raw).get("/api/v1/users/me/").status_code == 401


def test_a_revoked_token_is_refused(alice):
    token, raw = api_token_create(user=alice, name="Gone", scope="write")
    assert bearer(raw).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert bearer(raw).get("/api/v1/users/me/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_inactive_persons_token_is_refused(alice):
    _token, raw = api_token_create(user=alice, name="Script")
    alice.is_active = False
    alice.save()
    assert bearer(raw).get("/api/v1/users/me/").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(alice, django_assert_num_queries):
    token, raw = api_token_create(user=alice, name="Script")
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api_token_check(raw=raw) is not None
        first = ApiToken.objects.get(pk=token.pk).last_used_at
        assert first == start
        with django_assert_num_queries(1):  # the lookup only: no UPDATE within the minute
            api_token_check(raw=raw)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        api_token_check(raw=raw)
        assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        with django_assert_num_queries(2):
            api_token_check(raw=raw)
        assert ApiToken.objects.get(pk=token.pk).last_used_at == start + timedelta(seconds=61)


def test_the_tokens_api_creates_shows_once_lists_and_revokes(alice, api_as):
    client = api_as(alice)
    # when
    response = client.post("/api/v1/tokens/", {"name": "CI", "scope": "write", "expires_in_days": 30})
    # then: the token once, in the create answer only
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("hd_")
    assert body["scope"] == "write"
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["CI"]
    assert "token" not in listed[0]
    assert "digest" not in listed[0]
    assert bearer(body["token"]).get("/api/v1/tokens/").status_code == 200
    # revoking removes it from the list
    assert client.delete(f"/api/v1/tokens/{body['id']}/").status_code == 204
    assert client.get("/api/v1/tokens/").json()["results"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "read"}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 9999}, "expires_in_days"),
    ],
)
def test_bad_input_is_a_field_error(alice, api_as, body, field):
    response = api_as(alice).post("/api/v1/tokens/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_two_active_tokens_may_not_share_a_name(alice, api_as):
    assert api_as(alice).post("/api/v1/tokens/", {"name": "CI"}).status_code == 201
    response = api_as(alice).post("/api/v1/tokens/", {"name": "CI"})
    assert response.status_code == 400
    assert response.json() == {"name": [str(NAME_TAKEN)]}


def test_nobody_sees_or_revokes_another_persons_token(alice, bob, api_as):
    token, raw = api_token_create(user=alice, name="Mine")
    assert api_as(bob).get("/api/v1/tokens/").json()["results"] == []
    assert api_as(bob).get(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert api_as(bob).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert bearer(raw).get("/api/v1/users/me/").status_code == 200


def test_the_tokens_api_needs_a_sign_in():
    assert APIClient().get("/api/v1/tokens/").status_code == 401


def test_the_login_route_issues_a_listed_expiring_write_token(alice, settings):
    settings.HELPDESK_API_LOGIN_TOKEN_DAYS = 7
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "pw-Secret-123"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=alice)
    assert token.scope == "write"
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert response.json()["token"] != token.digest
    assert bearer(response.json()["token"]).post("/api/v1/tokens/", {"name": "x"}).status_code == 201

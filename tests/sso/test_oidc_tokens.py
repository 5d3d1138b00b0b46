"""The id token checks added to mozilla-django-oidc's (signature, expiry, nonce): issuer, audience,
authorised party and subject. Tokens are signed with a key made here and checked with its public half."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from sso.oidc import OIDCBackend

ISSUER = "https://idp.example.test/realms/staff"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def backend(settings):  # noqa: ANN001, ANN201
    settings.OIDC_ISSUER = ISSUER
    b = OIDCBackend()
    b.OIDC_RP_CLIENT_ID = "helpdesk"
    b.OIDC_RP_CLIENT_SECRET = "unused"
    b.OIDC_RP_SIGN_ALGO = "RS256"
    b.OIDC_RP_IDP_SIGN_KEY = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b


def token(**claims: object) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": "helpdesk",
        "sub": "u-1",
        "nonce": "n-1",
        "iat": now,
        "exp": now + 60,
    } | claims
    return jwt.encode({k: v for k, v in body.items() if v is not None}, KEY, algorithm="RS256")


def test_a_right_token_is_accepted(backend):
    assert backend.verify_token(token(), nonce="n-1")["sub"] == "u-1"


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://evil.example.test"},
        {"aud": "another-client"},
        {"aud": ["another-client", "helpdesk"]},  # several audiences: azp must be us
        {"sub": None},
        {"nonce": "n-other"},
        {"exp": int(time.time()) - 3600},
    ],
)
def test_a_wrong_token_is_refused(backend, claims):
    with pytest.raises((SuspiciousOperation, jwt.ExpiredSignatureError)):
        backend.verify_token(token(**claims), nonce="n-1")


def test_a_token_signed_by_another_key_is_refused(backend):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {"iss": ISSUER, "aud": "helpdesk", "sub": "u-1", "nonce": "n-1"}, other, algorithm="RS256"
    )
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(forged, nonce="n-1")

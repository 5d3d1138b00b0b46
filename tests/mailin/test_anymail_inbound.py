"""Inbound mail from a hosted service (Mailgun's MIME format through django-anymail)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from mailin.models import InboundMail
from tests.mailin.conftest import make_mail
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
KEY = "mailgun-signing-key"
URL = "/anymail/mailgun/inbound_mime/"


@pytest.fixture(autouse=True)
def _anymail(settings):  # noqa: ANN001
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY, "WEBHOOK_SECRET": "user:pass"}


def _signed(raw: bytes, key: str = KEY) -> dict[str, str]:
    timestamp, token = "1763800000", "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"body-mime": raw.decode(), "timestamp": timestamp, "token": token, "signature": signature}


def test_signed_inbound_mail_becomes_a_ticket(client, alice, service_desk):
    raw = make_mail(subject="Laptop will not boot")
    response = client.post(URL, _signed(raw), HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.subject, ticket.channel) == (alice, "Laptop will not boot", "email")


@pytest.mark.parametrize(
    ("auth", "key"),
    [("Basic dXNlcjpwYXNz", "wrong-key"), ("Basic d3Jvbmc6d3Jvbmc=", KEY), ("", KEY)],
)
def test_wrong_signature_or_secret_stores_nothing(client, alice, service_desk, auth, key):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = client.post(URL, _signed(make_mail(), key=key), **extra)
    assert response.status_code in (400, 401, 403)
    assert InboundMail.objects.count() == 0
    assert Ticket.objects.count() == 0

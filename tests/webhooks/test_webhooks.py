"""Webhooks against a real local HTTP receiver (a customer's endpoint, the one mock we may have)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from tickets import services as ticket_services
from webhooks import services
from webhooks.models import Delivery, Webhook
from webhooks.tasks import deliver, redispatch

pytestmark = pytest.mark.django_db
SECRET = "receiver-shared-secret-0123456789"


class Receiver:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.responses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.responses.pop(0) if receiver.responses else 200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verified(self, request: dict) -> bool:
        expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
        return hmac.compare_digest(request["headers"]["X-Helpdesk-Signature"], expected)


@pytest.fixture
def receiver(settings):  # noqa: ANN001
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def hook(receiver, sam) -> Webhook:  # noqa: ANN001
    return Webhook.objects.create(
        url=receiver.url, events=["ticket.created", "ticket.updated"], secret=SECRET
    )


def _run_enqueued() -> None:
    """Run the deliveries the commit enqueued, through the real task body."""
    for pk in Delivery.objects.filter(status="pending").values_list("pk", flat=True):
        deliver.apply(args=[[pk]])


def test_a_new_ticket_is_delivered_signed(
    hook, receiver, alice, service_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        ticket = ticket_services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    assert len(callbacks) >= 1  # delivery enqueued only after commit
    _run_enqueued()
    [request] = receiver.requests
    assert receiver.verified(request)
    body = json.loads(request["body"])
    assert body["event"] == "ticket.created"
    assert body["ticket"]["reference"] == ticket.reference
    assert request["headers"]["X-Helpdesk-Event"] == "ticket.created"
    assert Delivery.objects.get().status == "delivered"


def test_a_500_is_retried_with_backoff_and_every_attempt_recorded(hook, receiver, alice, service_desk):
    receiver.responses = [500]
    ticket_services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    delivery = Delivery.objects.get()
    services.delivery_send(pk=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert services.due_pks() == []  # not before its backoff
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        assert services.due_pks() == [delivery.pk]
        redispatch.apply()  # enqueues; run the due one through the task
        deliver.apply(args=[[delivery.pk]])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    assert len(receiver.requests) == 2
    assert all(receiver.verified(r) for r in receiver.requests)


def test_a_delivered_row_is_never_sent_again(hook, receiver, alice, service_desk):
    ticket_services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    pk = Delivery.objects.get().pk
    services.delivery_send(pk=pk)
    assert services.delivery_send(pk=pk) is None
    assert len(receiver.requests) == 1


def test_internal_notes_never_reach_a_webhook(hook, receiver, alice, tina, service_desk):
    ticket = ticket_services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    Delivery.objects.all().delete()
    ticket_services.message_add(ticket=ticket, author=tina, body="SECRET internal diagnosis", internal=True)
    assert not Delivery.objects.exists()
    ticket_services.message_add(ticket=ticket, author=tina, body="public answer text")
    payloads = json.dumps(list(Delivery.objects.values_list("payload", flat=True)))
    assert "SECRET" not in payloads
    assert "public answer text" not in payloads  # message bodies are not sent at all
    assert Delivery.objects.filter(event="ticket.updated").exists()


def test_a_webhook_gets_only_the_events_it_subscribed(receiver, alice, tina, service_desk):
    only_resolved = Webhook.objects.create(url=receiver.url, events=["ticket.resolved"], secret=SECRET)
    ticket = ticket_services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    ticket_services.ticket_resolve(ticket=ticket, by=tina, resolution="restarted")
    assert list(only_resolved.deliveries.values_list("event", flat=True)) == ["ticket.resolved"]


# --- API -------------------------------------------------------------------------------


def test_supervisor_creates_a_webhook_and_reads_its_deliveries(api_as, sam, receiver, alice, service_desk):
    api = api_as(sam)
    created = api.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["ticket.created"], "secret": SECRET}
    )
    assert created.status_code == 201, created.json()
    assert "secret" not in created.json()
    ticket_services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    services.delivery_send(pk=Delivery.objects.get().pk)
    listing = api.get(f"/api/v1/webhooks/{created.json()['id']}/deliveries/").json()
    [delivery] = listing["results"]
    assert delivery["status"] == "delivered"
    assert delivery["attempt_log"][0]["status_code"] == 200


def test_send_test_event(api_as, sam, hook, receiver):
    response = api_as(sam).post(f"/api/v1/webhooks/{hook.pk}/test/")
    assert response.status_code == 202
    services.delivery_send(pk=response.json()["id"])
    assert json.loads(receiver.requests[0]["body"])["event"] == "ping"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "http://127.0.0.1:9/hook",
        "http://10.0.0.5/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest",
    ],
)
def test_urls_to_private_addresses_or_other_schemes_are_refused(api_as, sam, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = api_as(sam).post("/api/v1/webhooks/", {"url": url, "events": ["ticket.created"]})
    assert response.status_code == 400
    assert "url" in response.json()
    assert not Webhook.objects.exists()


def test_a_private_address_is_refused_again_at_send_time(hook, settings, alice, service_desk):
    ticket_services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    delivery = services.delivery_send(pk=Delivery.objects.get().pk)
    assert delivery.status == "pending"
    assert "private" in delivery.last_error


def test_unknown_events_are_a_field_error(api_as, sam, receiver):
    response = api_as(sam).post("/api/v1/webhooks/", {"url": receiver.url, "events": ["ticket.deleted"]})
    assert response.status_code == 400
    assert "events" in response.json()


@pytest.mark.parametrize(("who", "code"), [(None, 401), ("alice", 403), ("tina", 403)])
def test_only_supervisors_manage_webhooks(api_as, request, hook, who, code):
    user = request.getfixturevalue(who) if who else None
    api = api_as(user)
    assert api.get("/api/v1/webhooks/").status_code == code
    assert api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").status_code == code
    assert api.post(f"/api/v1/webhooks/{hook.pk}/test/").status_code == code


# --- Browser pages -------------------------------------------------------------------------


def test_supervisor_pages_create_show_log_and_send_a_test(client, sam, receiver):
    client.force_login(sam)
    response = client.post(
        "/agent/config/webhooks/", {"url": receiver.url, "events": ["ticket.created"], "active": "on"}
    )
    hook = Webhook.objects.get()
    assert response.status_code == 302
    assert len(hook.secret) >= 32  # generated
    client.post(f"/agent/config/webhooks/{hook.pk}/test/")
    services.delivery_send(pk=hook.deliveries.get().pk)
    page = client.get(f"/agent/config/webhooks/{hook.pk}/").content.decode()
    assert "ping" in page
    assert "Delivered" in page


def test_the_form_names_a_refused_url(client, sam, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(sam)
    response = client.post(
        "/agent/config/webhooks/", {"url": "http://127.0.0.1/x", "events": ["ticket.created"]}
    )
    assert response.status_code == 200
    assert "private" in response.content.decode()
    assert not Webhook.objects.exists()


def test_agents_cannot_open_the_pages(client, tina):
    client.force_login(tina)
    assert client.get("/agent/config/webhooks/").status_code == 403


def test_the_pages_speak_german(client, sam):
    sam.language = "de"
    sam.save()
    client.force_login(sam)
    assert "Testereignis senden" not in client.get("/agent/config/webhooks/").content.decode()  # no hook yet
    hook = Webhook.objects.create(url="https://example.com/x", events=["ticket.created"])
    assert "Testereignis senden" in client.get(f"/agent/config/webhooks/{hook.pk}/").content.decode()


def test_the_form_labels_are_german(client, sam):
    sam.language = "de"
    sam.save()
    client.force_login(sam)
    html = client.get("/agent/config/webhooks/").content.decode()
    for label in ("URL", "Ereignisse", "Signaturschlüssel", "Aktiv"):
        assert re.search(rf"<label[^>]*>{label}</label>", html), label
    assert "Ein Ticket wurde erstellt (ticket.created)" in html
    assert "Url:" not in html
    assert ">Secret" not in html


def test_deleting_a_webhook_asks_first_and_can_be_undone(client, sam, hook):
    client.force_login(sam)
    client.post(f"/agent/config/webhooks/{hook.pk}/test/")
    url = f"/agent/config/webhooks/{hook.pk}/delete/"
    assert f'href="{url}"' in client.get(f"/agent/config/webhooks/{hook.pk}/").content.decode()
    confirm = client.get(url).content.decode()
    assert f"Delete webhook {hook.url}?" in confirm
    assert "Its log of 1 delivery is deleted with it." in confirm
    page = client.post(url, follow=True).content.decode()
    assert not Webhook.objects.exists()
    undo = re.search(r'<form class="msg-undo" method="post" action="([^"]+)"', page).group(1)
    client.post(undo)
    restored = Webhook.objects.get(pk=hook.pk)
    assert (restored.secret, restored.events) == (hook.secret, hook.events)
    assert restored.deliveries.count() == 1

"""Webhook deliveries through an outbox: rows written with the change, sent after commit.

Delivery is at-least-once on purpose: a receiver that answered 2xx is never called again for that
row, but a worker killed between the POST and marking the row delivered leaves it to be sent again
after its lease expires. Receivers deduplicate by the ``X-Helpdesk-Delivery`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from contextvars import ContextVar
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.errors import ApplicationError
from tickets.events import in_event_batch
from tickets.models import Ticket, TicketEvent

from .models import EVENTS, Attempt, Delivery, Webhook

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 10
URL_NOT_ALLOWED = "Webhook URLs must be http(s) and must not point at private or local addresses."

# Ticket event kinds → webhook event names. Internal notes and our own notification bookkeeping are
# never sent: webhooks may feed customer-facing integrations.
_NEVER = {TicketEvent.Kind.NOTE, TicketEvent.Kind.NOTIFICATION, TicketEvent.Kind.SLA_DUE}
_NAMED = {
    TicketEvent.Kind.CREATED: "ticket.created",
    TicketEvent.Kind.ESCALATED: "ticket.escalated",
    TicketEvent.Kind.RESOLVED: "ticket.resolved",
}


def event_name(kind: str) -> str | None:
    if kind in _NEVER:
        return None
    return _NAMED.get(kind, "ticket.updated")


def url_check(url: str) -> str:
    """The URL if deliveries may go there; an ApplicationError (field ``url``) otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApplicationError(_(URL_NOT_ALLOWED), field="url")
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror:
        raise ApplicationError(_("The webhook host does not resolve."), field="url") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global or ip.is_multicast:
            raise ApplicationError(_(URL_NOT_ALLOWED), field="url")
    return url


def webhook_validate(*, url: str, events: list[str]) -> None:
    url_check(url)
    unknown = [e for e in events if e not in EVENTS]
    if not events or unknown:
        raise ApplicationError(
            _("Choose events from: %(events)s.") % {"events": ", ".join(EVENTS)}, field="events"
        )


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    """What an integration learns about a ticket: public facts, never notes or handoffs."""
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "tier": ticket.tier,
        "team": ticket.team_id,
        "category": ticket.category_id,
        "channel": ticket.channel,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "resolved_at": ticket.resolved_at,
        "sla_state": ticket.sla_state,
    }


# The active webhooks, read once per batch of events (a bulk action's chunk, tickets.events.in_event_batch).
_batch_hooks: ContextVar[tuple[int, list[Webhook]] | None] = ContextVar("webhooks_batch_hooks", default=None)


def _active_webhooks() -> list[Webhook]:
    batch = in_event_batch()
    if not batch:
        return list(Webhook.objects.filter(active=True))
    cached = _batch_hooks.get()
    if cached is None or cached[0] != batch:
        cached = (batch, list(Webhook.objects.filter(active=True)))
        _batch_hooks.set(cached)
    return cached[1]


def deliveries_for_event(*, ticket: Ticket, event: TicketEvent) -> list[Delivery]:
    """Outbox rows for every active webhook that wants this event (inside the change's transaction)."""
    name = event_name(event.kind)
    if name is None or (event.kind == TicketEvent.Kind.ATTACHMENT and event.data.get("internal")):
        return []
    hooks = [h for h in _active_webhooks() if name in h.events]
    if not hooks:
        return []
    payload = json.loads(
        json.dumps(
            {
                "event": name,
                "occurred_at": event.created_at,
                "change": {
                    "kind": event.kind,
                    "field": event.field,
                    "old": event.old_value,
                    "new": event.new_value,
                },
                "ticket": ticket_payload(ticket),
            },
            cls=DjangoJSONEncoder,
        )
    )
    Delivery.objects.bulk_create(
        [Delivery(webhook=h, event=name, key=str(event.pk), payload=payload) for h in hooks],
        ignore_conflicts=True,  # the same event twice gives one delivery per webhook
    )
    rows = list(Delivery.objects.filter(key=str(event.pk), webhook__in=hooks))
    _enqueue_on_commit([r.pk for r in rows])
    return rows


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    """Removes the webhook and its delivery log; a delivery in flight finds no row and is dropped."""
    webhook.delete()


def webhook_send_test(*, webhook: Webhook) -> Delivery:
    payload = {"event": "ping", "occurred_at": timezone.now().isoformat(), "webhook": webhook.pk}
    delivery = Delivery.objects.create(
        webhook=webhook, event="ping", key=f"test-{uuid.uuid4()}", payload=payload
    )
    _enqueue_on_commit([delivery.pk])
    return delivery


def _enqueue_on_commit(pks: list[int]) -> None:
    if not pks:
        return
    from .tasks import deliver  # the task module imports services; import here to keep that one-way

    transaction.on_commit(lambda: deliver.delay(pks))


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _claim(pk: int) -> Delivery | None:
    """Take the row for sending, or None when it is done, not due, or leased by another worker."""
    now = timezone.now()
    due = Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, lease_until__lt=now
    )
    claimed = Delivery.objects.filter(due, pk=pk).update(
        status=Delivery.Status.SENDING, lease_until=now + LEASE
    )
    return Delivery.objects.select_related("webhook").get(pk=pk) if claimed else None


def delivery_send(*, pk: int) -> Delivery | None:
    delivery = _claim(pk)
    if delivery is None:
        return None
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "tiered-helpdesk-webhooks",
            "X-Helpdesk-Event": delivery.event,
            "X-Helpdesk-Delivery": str(delivery.pk),
            "X-Helpdesk-Signature": signature(delivery.webhook.secret, body),
        },
    )
    status_code, error = None, ""
    started = time.monotonic()
    try:
        url_check(delivery.webhook.url)  # again at send time: DNS may have changed since it was saved
        with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            status_code = response.status
    except urllib.error.HTTPError as exc:
        status_code, error = exc.code, f"HTTP {exc.code}"
    except ApplicationError as exc:
        error = exc.message
    except (urllib.error.URLError, OSError) as exc:
        error = str(getattr(exc, "reason", exc))[:500]
    duration = int((time.monotonic() - started) * 1000)
    return _record(delivery, status_code, error, duration)


def _opener() -> urllib.request.OpenerDirector:
    # No redirects: a 3xx to a private address would bypass the URL check.
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return urllib.request.build_opener(NoRedirect)


def _record(delivery: Delivery, status_code: int | None, error: str, duration: int) -> Delivery:
    now = timezone.now()
    ok = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery, at=now, status_code=status_code, error=error[:500], duration_ms=duration
        )
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error, delivery.lease_until = status_code, error[:500], None
        if ok:
            delivery.status, delivery.delivered_at = Delivery.Status.DELIVERED, now
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
        else:
            delivery.status = Delivery.Status.PENDING
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save()
    return delivery


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s … capped at one hour."""
    return timedelta(seconds=min(10 * 2 ** (attempts - 1), 3600))


def due_pks(limit: int = 500) -> list[int]:
    now = timezone.now()
    due = Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, lease_until__lt=now
    )
    return list(Delivery.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])

"""Retention rules: closed tickets older than N months are deleted, with everything that hangs on
them (messages, attachments and their files, events, SLA rows...).

Set-based and idempotent: each rule selects its tickets with one query and deletes them in batches
of ids, each batch in its own transaction (a crash leaves whole batches done, the next run does the
rest); a second run finds nothing more to do. Every run is recorded (``RetentionRun``) and, when it
removed anything, in the audit log.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_record
from organisations.selectors import primary_member_ids
from tickets.models import Attachment, Ticket

from .models import RetentionRule, RetentionRun

BATCH = 500
RETENTION_IDS_KEPT = 10_000


def rule_tickets(*, rule: RetentionRule, cutoff: datetime) -> QuerySet[Ticket]:
    """The tickets ``rule`` removes at ``cutoff``. The one place a scope (an organisation) filters: an
    organisation's rule covers the requests of the people whose primary organisation it is; the global
    rule covers all others (an organisation's own rule takes precedence, be it longer or shorter)."""
    qs = Ticket.objects.filter(status=Ticket.Status.CLOSED, closed_at__lt=cutoff)
    if rule.scope == RetentionRule.Scope.GLOBAL:
        own_rules = RetentionRule.objects.filter(scope=RetentionRule.Scope.ORGANISATION, active=True)
        return qs.exclude(requester_id__in=primary_member_ids(own_rules.values("organisation_id")))
    if rule.scope == RetentionRule.Scope.ORGANISATION and rule.organisation_id:
        return qs.filter(requester_id__in=primary_member_ids([rule.organisation_id]))
    return qs.none()  # a scope this code does not know removes nothing


def _delete_files(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # already gone: must not fail on a missing file
            default_storage.delete(name)


def retention_run_rule(*, rule: RetentionRule, now: datetime | None = None) -> RetentionRun:
    now = now or timezone.now()
    cutoff = now - relativedelta(months=rule.months)
    removed: list[int] = []
    attachments = 0
    while True:
        with transaction.atomic():
            batch = list(
                rule_tickets(rule=rule, cutoff=cutoff).order_by("pk").values_list("pk", flat=True)[:BATCH]
            )
            if not batch:
                break
            # Lock the batch: a ticket reopened meanwhile (no longer closed) is left alone.
            batch = list(
                rule_tickets(rule=rule, cutoff=cutoff)
                .filter(pk__in=batch)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            if not batch:
                break
            files = [
                n for n in Attachment.objects.filter(ticket_id__in=batch).values_list("file", flat=True) if n
            ]
            attachments += len(files)
            Ticket.objects.filter(pk__in=batch).delete()
            transaction.on_commit(lambda files=files: _delete_files(files))
            removed += batch
    with transaction.atomic():
        run = RetentionRun.objects.create(
            rule=rule,
            ran_at=now,
            cutoff=cutoff,
            months=rule.months,
            removed_tickets=len(removed),
            removed_attachments=attachments,
            ticket_ids=removed[:RETENTION_IDS_KEPT],
        )
        if removed:
            audit_record(
                action=AuditEntry.Action.RETENTION,
                model="privacy",
                object_id=str(rule.pk),
                object_repr=str(rule)[:200],
                details={
                    "rule": rule.pk,
                    "organisation": rule.organisation_id,
                    "months": rule.months,
                    "tickets": len(removed),
                    "attachments": attachments,
                    "ticket_ids": removed[:RETENTION_IDS_KEPT],
                },
                actor=None,
            )
    return run


def retention_run_all(*, now: datetime | None = None) -> list[RetentionRun]:
    return [retention_run_rule(rule=r, now=now) for r in RetentionRule.objects.filter(active=True)]

"""Erasing a person: personal data replaced by a tombstone, their files deleted, counts kept.

What stays: the user row (as "Erased person #id", inactive, no address, no password), their tickets
and every event, rating score, time entry and counter, so every metric keeps its numbers. What goes:
names and address; subject, description and resolution of the tickets they requested; the bodies of
every message in those tickets and of every message they wrote elsewhere; every attachment of those
tickets and every file they uploaded (rows and files in storage); rating comments, time-entry notes,
escalation hand-off texts of their tickets; the mails and in-app notices about them; their follows,
mentions, saved views, preferences, API token, running timer and idempotency keys; their inbound
mails and Cc participations.

Confirmed by a one-time token (``erasure_token_issue``), consumed under a row lock: a replayed
request, or a second one racing the first, is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record
from helpdesk.errors import ApplicationError, ConflictError

from .models import ErasureToken, RetentionRule

TOKEN_TTL = timedelta(minutes=30)
TOMBSTONE_FIRST_NAME = "Erased person"
TOMBSTONE_TEXT = "[erased]"

ERASE_TOKEN_INVALID = _("This confirmation is not valid. Open the erasure page again.")
ERASE_TOKEN_USED = _("This erasure was already carried out; the request is not repeated.")
ERASE_TOKEN_EXPIRED = _("This confirmation has expired. Open the erasure page again.")
ERASE_ALREADY = _("This person has already been erased.")
ERASE_SELF = _("You cannot erase yourself.")
ERASE_ADMIN = _("An administrator cannot be erased here; remove the admin rights first.")


def tombstone_username(pk: int) -> str:
    return f"erased-{pk}"


def is_erased(user: Any) -> bool:
    return bool(
        user is not None
        and user.pk
        and user.username == tombstone_username(user.pk)
        and not user.is_active
        and not user.email
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def erasure_token_issue(*, person: User, by: User) -> tuple[str, ErasureToken]:
    """A new one-time confirmation for erasing ``person`` (the plain token is returned once)."""
    person = User.objects.get(pk=person.pk)  # as it is now, not as the caller loaded it
    _check_erasable(person=person, by=by)
    token = secrets.token_urlsafe(32)
    row = ErasureToken.objects.create(
        person=person, token_hash=_hash(token), created_by=by, expires_at=timezone.now() + TOKEN_TTL
    )
    return token, row


def _check_erasable(*, person: User, by: User) -> None:
    if is_erased(person):
        raise ConflictError(str(ERASE_ALREADY))
    if person.pk == by.pk:
        raise ApplicationError(str(ERASE_SELF))
    if person.is_superuser:
        raise ApplicationError(str(ERASE_ADMIN))


@transaction.atomic
def person_erase(*, person: User, token: str, by: User) -> dict[str, int]:
    """Erases ``person`` once per valid token; returns what was erased (counts)."""
    row = (
        ErasureToken.objects.select_for_update()
        .filter(token_hash=_hash(token or ""), person_id=person.pk)
        .first()
    )
    if row is None:
        raise ApplicationError(str(ERASE_TOKEN_INVALID), field="token")
    if row.used_at is not None:
        raise ConflictError(str(ERASE_TOKEN_USED))
    if row.expires_at <= timezone.now():
        raise ApplicationError(str(ERASE_TOKEN_EXPIRED), field="token")
    person = User.objects.select_for_update().get(pk=person.pk)
    _check_erasable(person=person, by=by)
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    counts = _erase(person)
    audit_record(
        action=AuditEntry.Action.ERASED,
        model="privacy",
        object_id=str(person.pk),
        details={"person": person.pk, **counts},
        actor=by,
    )
    return counts


def _erase(person: User) -> dict[str, int]:
    from escalation.models import Escalation
    from mailin.models import InboundMail, Participant
    from notifications.models import (
        InAppNotification,
        Mention,
        Notification,
        NotificationPreference,
        TicketFollower,
    )
    from recurring.models import RecurringTicket
    from savedviews.models import SavedView
    from tickets.models import Attachment, IdempotencyKey, Message, Rating, Ticket, TicketEvent
    from timetracking.models import RunningTimer, TimeEntry

    pk, email = person.pk, person.email
    theirs = Q(ticket__requester_id=pk)
    tickets = Ticket.objects.filter(requester_id=pk)
    counts: dict[str, int] = {"tickets": tickets.count()}

    attachments = Attachment.objects.filter(theirs | Q(uploaded_by_id=pk))
    files = [name for name in attachments.values_list("file", flat=True) if name]
    counts["attachments"] = attachments.delete()[1].get("tickets.Attachment", 0)
    transaction.on_commit(lambda: _delete_files(files))

    counts["messages"] = Message.objects.filter(theirs | Q(author_id=pk)).update(body=TOMBSTONE_TEXT)
    tickets.update(subject=TOMBSTONE_TEXT, description=TOMBSTONE_TEXT, resolution="")
    TicketEvent.objects.filter(theirs, field__in=["subject", "description"]).update(
        old_value="", new_value=""
    )
    counts["ratings"] = Rating.objects.filter(theirs).exclude(comment="").update(comment="")
    counts["time_entries"] = (
        TimeEntry.objects.filter(theirs | Q(customer_id=pk)).exclude(note="").update(note="")
    )
    Escalation.objects.filter(theirs).update(
        summary=TOMBSTONE_TEXT, steps_taken=TOMBSTONE_TEXT, diagnostics="", customer_impact=""
    )
    notices = Notification.objects.filter(theirs | Q(recipient_id=pk))
    counts["notifications"] = notices.update(
        address="", subject=TOMBSTONE_TEXT, body_text=TOMBSTONE_TEXT, body_html=""
    )
    Notification.objects.filter(recipient_id=pk, status__in=["pending", "sending"]).update(
        status="failed", last_error="erased"
    )
    InAppNotification.objects.filter(recipient_id=pk).delete()
    InAppNotification.objects.filter(theirs).update(excerpt="")
    for model in (NotificationPreference, TicketFollower, Mention):
        model.objects.filter(user_id=pk).delete()
    SavedView.objects.filter(owner_id=pk).delete()
    IdempotencyKey.objects.filter(user_id=pk).delete()
    RunningTimer.objects.filter(agent_id=pk).delete()
    RecurringTicket.objects.filter(requester_id=pk).update(
        active=False, subject=TOMBSTONE_TEXT, description=""
    )
    if email:
        InboundMail.objects.filter(from_address__iexact=email).update(raw=b"", from_address="", subject="")
        Participant.objects.filter(email__iexact=email).delete()
    from apitokens.models import ApiToken
    from sso.models import ExternalIdentity, SignIn

    ApiToken.objects.filter(user_id=pk).delete()
    # The links to their directory accounts go too: signing in there later makes a new person.
    ExternalIdentity.objects.filter(user_id=pk).delete()
    SignIn.objects.filter(user_id=pk).delete()

    person.username = tombstone_username(pk)
    person.first_name = TOMBSTONE_FIRST_NAME
    person.last_name = f"#{pk}"
    person.email = ""
    person.is_active = False
    person.set_unusable_password()
    person.save()
    return counts


def _delete_files(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # already gone: must not fail on a missing file
            default_storage.delete(name)


def organisation_retention_save(
    *, by: Any, organisation: Any, months: int, active: bool = True
) -> RetentionRule:
    """An organisation's own retention rule, made or changed (one per organisation)."""
    rule = RetentionRule.objects.filter(
        scope=RetentionRule.Scope.ORGANISATION, organisation=organisation
    ).first() or RetentionRule(
        scope=RetentionRule.Scope.ORGANISATION, organisation=organisation, created_by=by
    )
    rule.months, rule.active = months, active
    rule.full_clean()
    rule.save()
    return rule

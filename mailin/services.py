"""Email in: store every mail raw first, then turn it into a ticket or a message, each in its own
transaction, so a mail is marked processed only together with what it created."""

from __future__ import annotations

import imaplib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import customer_create_by_agent
from helpdesk.errors import ConflictError
from notifications.models import Notification
from notifications.threading import ticket_pk_from_token
from tickets import services as ticket_services
from tickets.models import REFERENCE_RE, Message, Ticket

from . import hooks, parsing
from .fingerprint import content_hash
from .models import InboundMail, Mailbox, Participant

log = logging.getLogger(__name__)
User = get_user_model()

# Per-sender cap: more mails than this from one address in an hour are ignored (mail loops, floods).
SENDER_RATE_CAP_PER_HOUR = 30
# Mails fetched per IMAP poll; the rest waits for the next poll.
FETCH_BATCH = 200
# A mail whose processing fails this often goes to quarantine with the error; the others flow on.
MAX_ATTEMPTS = 3


# --- Matching ----------------------------------------------------------------------


@dataclass
class Match:
    ticket: Ticket | None
    reason: str
    suspicious: bool = False


def match_ticket(mail: parsing.ParsedMail) -> Match:
    """The ticket this mail replies to: by signed token, then thread headers, then the reference,
    then the lookups other apps registered (``mailin.hooks``).

    A mail is appended only when its sender is the requester or an approved participant;
    a valid token from anyone else is suspicious (quarantine), a header or subject match
    from a stranger becomes a new ticket.
    """
    candidates: list[tuple[Ticket | None, str, bool]] = []
    pk = ticket_pk_from_token(mail.to + mail.cc)
    if pk:
        candidates.append((Ticket.objects.filter(pk=pk).first(), "matched by reply token", True))
    thread_ids = mail.in_reply_to + mail.references
    if thread_ids:
        ticket = _ticket_by_thread(thread_ids)
        if ticket:
            candidates.append((ticket, "matched by In-Reply-To/References", False))
    ref = REFERENCE_RE.search(mail.subject)
    if ref:
        candidates.append(
            (Ticket.objects.filter(pk=int(ref.group(1))).first(), "matched by reference in subject", False)
        )
    for ticket, reason, strong in candidates:
        if ticket is None:
            continue
        if _may_write(ticket, mail.from_address):
            return Match(ticket, reason)
        if strong:
            return Match(None, f"reply token of {ticket.reference} used by another sender", suspicious=True)
    # Nothing of ours: the other apps' lookups (e.g. an imported ticket's old number, see mailin.hooks).
    for reason, lookup in hooks.subject_lookups:
        ticket = lookup(mail.subject)
        if ticket is not None and _may_write(ticket, mail.from_address):
            return Match(ticket, reason)
    return Match(None, "new request")


def _ticket_by_thread(ids: list[str]) -> Ticket | None:
    """A ticket whose messages, our sent mails or received mails carry one of these Message-IDs."""
    for model, field in (
        (Message, "email_message_id"),
        (Notification, "message_id"),
        (InboundMail, "message_id"),
    ):
        row = (
            model.objects.filter(**{f"{field}__in": ids, "ticket__isnull": False})
            .select_related("ticket")
            .first()
        )
        if row:
            return row.ticket
    return None


def _may_write(ticket: Ticket, address: str) -> bool:
    if ticket.requester.email and ticket.requester.email.lower() == address:
        return True
    return Participant.objects.filter(ticket=ticket, email__iexact=address, approved=True).exists()


# --- Store and process ---------------------------------------------------------------


def inbound_store(*, raw: bytes, mailbox: Mailbox | None = None) -> InboundMail | None:
    """Keep the raw mail (committed on its own). None when this very mail was stored before.

    A different mail that reuses a stored Message-ID (broken mailers, resends with edits) is
    stored too, and points at the first one (``repeat_of``) so agents see the repeated id."""
    head = parsing.headers_of(raw)  # headers only: the full parse happens once, in inbound_process
    digest = content_hash(raw)
    earlier = InboundMail.objects.filter(message_id=head.message_id).order_by("pk")
    first = earlier.only("pk", "content_hash").first()
    if first is not None and first.content_hash == digest:
        return None  # fetched or delivered twice: processed once
    try:
        with transaction.atomic():
            return InboundMail.objects.create(
                mailbox=mailbox,
                message_id=head.message_id,
                content_hash=digest,
                repeat_of=first,
                raw=raw,
                from_address=head.from_address[:254],
                subject=head.subject[:255],
            )
    except IntegrityError:
        return None  # the same mail, stored a moment ago by another worker


def inbound_process(*, pk: int) -> InboundMail:
    """Turn one stored mail into a ticket or message. Safe to call twice; never raises for a bad mail.

    The attempt is counted (and committed) before the work starts, so even a worker that dies on
    a mail counts it. The work runs in a savepoint: when it fails, nothing it created stays, the
    error is noted on the mail, and after MAX_ATTEMPTS the mail goes to quarantine."""
    InboundMail.objects.filter(pk=pk, status=InboundMail.Status.RECEIVED).update(attempts=F("attempts") + 1)
    with transaction.atomic():
        inbound = InboundMail.objects.select_for_update().get(pk=pk)
        if inbound.status != InboundMail.Status.RECEIVED:
            return inbound
        if inbound.attempts > MAX_ATTEMPTS:  # earlier attempts died without a word
            reason = f"gave up after {MAX_ATTEMPTS} attempts: {inbound.reason or 'the worker stopped'}"
            return _finish(inbound, InboundMail.Status.QUARANTINED, reason[:200])
        try:
            with transaction.atomic():
                return _process(inbound)
        except Exception as exc:  # nothing is lost: the raw mail stays for reprocessing
            log.exception("inbound mail %s: attempt %s failed", pk, inbound.attempts)
            attempts = inbound.attempts
            inbound = InboundMail.objects.get(pk=pk)  # what the failed attempt set is void
            inbound.attempts = attempts
            inbound.reason = f"attempt {attempts} failed: {type(exc).__name__}: {exc}"[:200]
            if attempts >= MAX_ATTEMPTS:
                return _finish(inbound, InboundMail.Status.QUARANTINED, inbound.reason)
            inbound.save(update_fields=["attempts", "reason"])
            return inbound


def _process(inbound: InboundMail) -> InboundMail:
    try:
        mail = parsing.parse(bytes(inbound.raw))
    except Exception as exc:  # nothing is lost: the raw mail stays for reprocessing
        return _finish(inbound, InboundMail.Status.QUARANTINED, f"cannot parse: {exc}"[:200])
    if mail.auto_reason:
        return _finish(inbound, InboundMail.Status.IGNORED, mail.auto_reason[:200])
    if _own_address(mail.from_address):
        return _finish(inbound, InboundMail.Status.IGNORED, "our own address")
    if _over_rate_cap(mail.from_address, inbound.pk):
        return _finish(inbound, InboundMail.Status.IGNORED, "sender over the hourly cap")
    match = match_ticket(mail)
    if match.suspicious:
        return _finish(inbound, InboundMail.Status.QUARANTINED, match.reason)
    if match.ticket is not None:
        try:
            message = _append(match.ticket, mail, reason=match.reason)
        except ConflictError:
            match = Match(None, f"{match.ticket.reference} is closed: new request")
        else:
            # message.ticket: a reply to a merged-away ticket lands on its merge target.
            inbound.ticket, inbound.ticket_message = message.ticket, message
            return _finish(inbound, InboundMail.Status.PROCESSED, _with_sender_note(match.reason, mail))
    ticket = _new_ticket(mail, inbound.mailbox)
    inbound.ticket = ticket
    return _finish(inbound, InboundMail.Status.PROCESSED, _with_sender_note(match.reason, mail))


def inbound_reprocess(*, pk: int) -> InboundMail:
    """Supervisors send a quarantined mail through again (e.g. after a parser fix)."""
    InboundMail.objects.filter(pk=pk, status=InboundMail.Status.QUARANTINED).update(
        status=InboundMail.Status.RECEIVED, reason="", attempts=0
    )
    return inbound_process(pk=pk)


def _finish(inbound: InboundMail, status: str, reason: str) -> InboundMail:
    inbound.status, inbound.reason, inbound.processed_at = status, reason, timezone.now()
    inbound.save()
    return inbound


def _with_sender_note(reason: str, mail: parsing.ParsedMail) -> str:
    """Agents see when the sender was not taken from From (see mailin.senders)."""
    return reason if mail.sender_header == "From" else f"{reason} (sender from {mail.sender_header})"


def _own_address(address: str) -> bool:
    """Mail from one of our own addresses (plus-tags ignored) is never processed: no loops."""
    local, _at, domain = address.lower().partition("@")
    ours = {settings.DEFAULT_FROM_EMAIL, *Mailbox.objects.values_list("address", flat=True)}
    return f"{local.split('+', 1)[0]}@{domain}" in {a.lower() for a in ours}


def _over_rate_cap(address: str, current_pk: int) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = InboundMail.objects.filter(from_address=address, received_at__gte=since).exclude(pk=current_pk)
    return recent.count() >= SENDER_RATE_CAP_PER_HOUR


def _requester_for(mail: parsing.ParsedMail) -> Any:
    """The customer with the sender's address, or a new one (no password, as an agent would record them)."""
    user = User.objects.filter(email__iexact=mail.from_address).order_by("id").first()
    if user:
        return user
    first, _sp, last = (mail.from_name or "").partition(" ")
    return customer_create_by_agent(
        email=mail.from_address, first_name=first[:150], last_name=last[:150], language=mail.language
    )


def _body_with_notes(
    mail: parsing.ParsedMail, *, subject_kept: str | None = None
) -> tuple[str, list[parsing.ParsedAttachment]]:
    """The text to store and the files to attach. What cannot be kept is named in the text:
    a file over the size limit, a subject longer than a ticket's."""
    kept, notes = [], []
    if subject_kept is not None and subject_kept != mail.subject:
        notes.append(f"[Full subject: {mail.subject}]")
    limit = settings.HELPDESK_MAX_ATTACHMENT_BYTES
    files = list(mail.attachments)
    if mail.html_original:
        files.append(parsing.ParsedAttachment("original.html", "text/html", mail.html_original.encode()))
    for att in files:
        if len(att.payload) > limit:
            notes.append(
                f"[Attachment “{att.filename}” ({len(att.payload) // 1024} KiB) was dropped: larger than "
                f"{limit // (1024 * 1024)} MB.]"
            )
        else:
            kept.append(att)
    body = mail.body or "(no text)"
    return "\n\n".join([body, *notes]), kept


def _attach(
    ticket: Ticket, message: Message | None, author: Any, files: list[parsing.ParsedAttachment]
) -> None:
    for att in files:
        upload = SimpleUploadedFile(att.filename, att.payload, content_type=att.content_type)
        ticket_services.attachment_add(ticket=ticket, by=author, file=upload, message=message)


def _append(ticket: Ticket, mail: parsing.ParsedMail, *, reason: str) -> Message:
    author = ticket.requester
    if author.email.lower() != mail.from_address:
        author = User.objects.filter(email__iexact=mail.from_address).first() or ticket.requester
    body, files = _body_with_notes(mail)
    message = ticket_services.message_add(
        ticket=ticket,
        author=author,
        body=body,
        channel=Ticket.Channel.EMAIL,
        match_reason=reason,
        email_message_id=mail.message_id,
    )
    _attach(ticket, message, author, files)
    return message


def _new_ticket(mail: parsing.ParsedMail, mailbox: Mailbox | None) -> Ticket:
    requester = _requester_for(mail)
    subject = _fit(mail.subject or "(no subject)", Ticket._meta.get_field("subject").max_length)
    body, files = _body_with_notes(mail, subject_kept=subject)
    ticket = ticket_services.ticket_create(
        requester=requester,
        by=requester,
        subject=subject,
        description=body,
        channel=Ticket.Channel.EMAIL,
        category=mailbox.category if mailbox else None,
        language=mail.language,
    )
    if mailbox and mailbox.team and ticket.team_id != mailbox.team_id and mailbox.team.tier == 1:
        ticket = ticket_services.ticket_update(ticket=ticket, by=None, team=mailbox.team)
    _attach(ticket, None, requester, files)
    for cc in mail.cc:
        if cc != mail.from_address and len(cc) <= 254 and not _own_address(cc):
            Participant.objects.get_or_create(ticket=ticket, email=cc)
    return ticket


def _fit(text: str, length: int | None) -> str:
    return text if length is None or len(text) <= length else text[: length - 1] + "…"


# --- IMAP ------------------------------------------------------------------------------


def mailbox_fetch(*, mailbox: Mailbox) -> list[int]:
    """Poll one mailbox: store each unseen mail, flag it seen only after it is stored, then process.

    A worker killed mid-poll loses nothing (unflagged mail is fetched again) and
    duplicates nothing (a Message-ID is stored once per content)."""
    stored: list[int] = []
    cls = imaplib.IMAP4_SSL if mailbox.use_ssl else imaplib.IMAP4
    try:
        with cls(mailbox.host, mailbox.port, timeout=30) as imap:
            imap.login(mailbox.username, mailbox.password)
            imap.select(mailbox.folder)
            _typ, data = imap.uid("SEARCH", None, "UNSEEN")
            uids = (data[0] or b"").split()[:FETCH_BATCH]
            for uid in uids:
                _typ, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if raw is None:
                    continue
                inbound = inbound_store(raw=raw, mailbox=mailbox)
                imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
                if inbound is not None:
                    stored.append(inbound.pk)
    except (OSError, imaplib.IMAP4.error) as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc)[:2000])
        log.warning("mailbox %s: %s", mailbox.name, exc)
        raise
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
    for pk in stored:
        inbound_process(pk=pk)
    return stored


def pending_process() -> int:
    """Process stored mail that a killed worker or a failed attempt left behind, oldest first.
    One mail that fails does not hold up the others (each is guarded in inbound_process)."""
    pks = list(
        InboundMail.objects.filter(status=InboundMail.Status.RECEIVED)
        .order_by("id")
        .values_list("pk", flat=True)[:500]
    )
    for pk in pks:
        try:
            inbound_process(pk=pk)
        except Exception:  # e.g. the database went away mid-way: the next run picks it up again
            log.exception("inbound mail %s could not be processed", pk)
    return len(pks)


def participant_approve(*, participant: Participant, by: Any) -> Participant:
    """An agent lets a Cc'd address write to the ticket by mail."""
    participant.approved, participant.approved_by = True, by
    participant.save(update_fields=["approved", "approved_by"])
    return participant

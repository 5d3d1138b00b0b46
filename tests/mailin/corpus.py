"""The real-world mail corpus (tests/mailin/corpus/, see its README): loading and observing one mail.

Shared by the corpus test and bench/mail_corpus.py, so both see a mail the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailin import parsing, services
from mailin.models import InboundMail
from tickets.models import Attachment

CORPUS = Path(__file__).parent / "corpus"
KEYS = ("outcome", "sender", "subject", "body_start", "attachments")
OUTCOMES = {
    InboundMail.Status.PROCESSED: "ticket",
    InboundMail.Status.QUARANTINED: "quarantine",
    InboundMail.Status.IGNORED: "ignored",
}


@dataclass
class Case:
    eml: Path
    expected: dict[str, Any]

    @property
    def name(self) -> str:
        return self.eml.stem

    @property
    def raw(self) -> bytes:
        return self.eml.read_bytes()


def cases() -> list[Case]:
    """Every *.eml with a sidecar *.json, sorted by name."""
    return [
        Case(eml, json.loads(eml.with_suffix(".json").read_text(encoding="utf-8")))
        for eml in sorted(CORPUS.glob("*.eml"))
        if eml.with_suffix(".json").exists()
    ]


def observe(inbound: InboundMail) -> dict[str, Any]:
    """What the pipeline made of a processed mail, in the sidecar's terms.

    A ticket: its requester, subject, body (the new message's body for an appended reply) and the
    files stored on it. Quarantined or ignored: the stored sender and subject, and the body and
    attachments the parser finds (none when it cannot parse the mail)."""
    outcome = OUTCOMES.get(inbound.status, inbound.status)
    if outcome == "ticket":
        ticket, message = inbound.ticket, inbound.ticket_message
        files = Attachment.objects.filter(ticket=ticket)
        return {
            "outcome": outcome,
            "sender": (message.author if message else ticket.requester).email.lower() or None,
            "subject": ticket.subject,
            "body": message.body if message else ticket.description,
            "attachments": (files.filter(message=message) if message else files).count(),
        }
    try:
        mail = parsing.parse(bytes(inbound.raw))
        body, attachments = mail.body, len(mail.attachments)
    except ValueError:
        body, attachments = "", 0
    return {
        "outcome": outcome,
        "sender": inbound.from_address or None,
        "subject": inbound.subject,
        "body": body,
        "attachments": attachments,
    }


def deliver(raw: bytes) -> InboundMail | None:
    """Store and process one mail as the pipeline does; None when it was stored before."""
    stored = services.inbound_store(raw=raw)
    return None if stored is None else services.inbound_process(pk=stored.pk)


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def mismatches(expected: dict[str, Any], seen: dict[str, Any]) -> list[str]:
    """Every key of the sidecar that the observation does not meet, as readable lines."""
    problems = []
    for key in KEYS:
        if key not in expected:
            problems.append(f"{key}: missing in the sidecar")
            continue
        want = expected[key]
        if key == "body_start":
            got = squash(seen["body"])
            ok = got.startswith(squash(want))
            got = got[: max(len(squash(want)), 40)]
        elif key == "sender":
            got = seen["sender"]
            ok = (want or "").lower() == (got or "").lower()
        else:
            got = seen[key]
            ok = want == got
        if not ok:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems

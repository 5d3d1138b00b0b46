"""A digest of what a mail says, to tell a repeated delivery from a different mail with the same id.

Mailers that are broken, and people who resend with edits, reuse a Message-ID for a different
mail; the same mail delivered to two of our mailboxes differs only in its trace headers
(Received, Delivered-To, …). So the digest covers the body bytes and the headers that make the
mail what it is, not the ones that servers add on the way.
"""

from __future__ import annotations

import hashlib
import re

CONTENT_HEADERS = frozenset(
    {
        "from",
        "sender",
        "reply-to",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "in-reply-to",
        "references",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
    }
)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_HEADER = re.compile(rb"^([!-9;-~]+)[ \t]*:(.*)$")


def content_hash(raw: bytes) -> str:
    """sha256 (hex) of the content headers and the body; never raises, any bytes have one."""
    split = _BLANK_LINE.search(raw)
    head, body = (raw[: split.start()], raw[split.end() :]) if split else (raw, b"")
    digest = hashlib.sha256()
    name = None
    fields: list[list[bytes]] = []
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t") and name is not None:
            fields[-1].append(line.strip())  # a folded continuation of the header above
            continue
        match = _HEADER.match(line)
        name = match.group(1).lower() if match else None
        if name is not None and name.decode() in CONTENT_HEADERS:
            fields.append([name, match.group(2).strip()])
        elif name is not None:
            name = None  # a trace header: its continuation lines are skipped too
    for field in fields:
        digest.update(field[0] + b":" + b" ".join(p for p in field[1:] if p) + b"\n")
    digest.update(b"\n")
    digest.update(b"\n".join(line.rstrip() for line in body.splitlines()).rstrip())
    return digest.hexdigest()

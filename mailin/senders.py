"""Who sent a mail, recovered the way a robust mail gateway does.

Real mail has broken From headers: a display name in undeclared 8-bit bytes, a domain with a
trailing dot (``Claudia.Shu@yahoo.com.``), an empty address before the real one
(``"…" <>, "LTD" <ly@example.com>``), no From at all. The sender is the first usable address
in From, then Reply-To, Sender, Return-Path; only a mail with none of them has no sender.
Works on the raw header values, so a header the strict parser rejects is still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses

SOURCES = ("From", "Reply-To", "Sender", "Return-Path")

_CANDIDATE = re.compile(r"[^\s<>()\[\]\\,;:\"']+@[^\s<>()\[\]\\,;:\"']+")
_USABLE = re.compile(r"[^\s@<>()\[\]\\,;:\"]{1,64}@[\w-]+(?:\.[\w-]+)*")
_ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_BRACKETED = re.compile(r"<([^<>]*)>")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass(frozen=True)
class Sender:
    address: str  # normalised, lower case; '' when the mail truly has none
    name: str
    header: str  # where it was found: one of SOURCES, or ''


NOBODY = Sender("", "", "")


def sender_of(msg: Message) -> Sender:
    """The first usable sender address of a parsed mail (headers only are enough)."""
    values = {name.lower(): [] for name in SOURCES}
    for name, value in msg.raw_items():
        if name.lower() in values:
            values[name.lower()].append(_text(value))
    for header in SOURCES:
        for value in values[header.lower()]:
            for name, address in _candidates(value):
                usable = normalise(address)
                if usable:
                    return Sender(usable, decode_words(name), header)
    return NOBODY


def repaired_headers(raw: bytes) -> bytes:
    """The mail with a broken header block mended so that the parser sees its From and Subject.

    Two oddities are seen in real mail: a first line that is no header but is followed by headers,
    as some forwarding tools write (``---- Original email message ----``), is dropped; a line that
    is neither a header nor indented, between two headers, is a continuation whose indent was lost
    (it would end the headers there). An mbox ``From `` line is left to the parser."""
    split = _BLANK_LINE.search(raw)
    head, rest = (raw[: split.start()], raw[split.start() :]) if split else (raw, b"")
    lines = head.split(b"\n")
    if len(lines) > 1 and not _is_header(lines[0]) and _is_header(lines[1]):
        lines = lines[1:]
    last = max((i for i, line in enumerate(lines) if _is_header(line)), default=-1)
    for i in range(1, last):
        if not _is_header(lines[i]) and lines[i][:1] not in (b" ", b"\t"):
            lines[i] = b" " + lines[i]
    return b"\n".join(lines) + rest


def _is_header(line: bytes) -> bool:
    return line.startswith(b"From ") or _HEADER_LINE.match(line) is not None


def normalise(address: str) -> str:
    """A usable address in lower case, harmless oddities removed; '' when it is not an address."""
    address = address.strip().strip("<>").strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    local, at, domain = address.rpartition("@")
    domain = domain.strip().rstrip(".").lower()  # 'yahoo.com.' is the fully qualified 'yahoo.com'
    local = local.strip().strip('"') if local.strip().startswith('"') else local.strip()
    candidate = f"{local}@{domain}"
    if not at or not local or len(candidate) > 254 or not _USABLE.fullmatch(candidate):
        return ""
    return candidate.lower()


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; an unknown charset or broken bytes never raise."""
    if not _ENCODED_WORD.search(value):
        return " ".join(value.split())
    parts = []
    try:
        chunks = decode_header(value)
    except Exception:  # a malformed encoded word: keep it as written
        return " ".join(value.split())
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
            continue
        try:
            parts.append(chunk.decode(charset or "ascii", errors="replace"))
        except LookupError:
            parts.append(chunk.decode("latin-1"))
    return " ".join("".join(parts).split())


def _text(value: str) -> str:
    """A raw header value as text: undeclared 8-bit bytes read as UTF-8, else Latin-1; unfolded."""
    raw = value.encode("utf-8", "surrogateescape")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return re.sub(r"\r?\n[ \t]*", " ", text).strip()


def _candidates(value: str) -> list[tuple[str, str]]:
    """(name, address) pairs of a header value, in order, then a loose scan for what the parser
    misreads: each ``<…>`` whole (never a piece of ``<power quadrant system@example.com>``), then
    bare addresses outside brackets and quoted display names."""
    pairs = [(name, addr) for name, addr in getaddresses([value]) if "@" in addr]
    bracketed = _BRACKETED.findall(value)
    outside = _QUOTED.sub(" ", _BRACKETED.sub(" ", value))
    return pairs + [("", found) for found in [*bracketed, *_CANDIDATE.findall(outside)]]

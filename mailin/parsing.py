"""Turn raw RFC 5322 bytes into what the helpdesk needs. Standard library ``email`` only.

Quote stripping is hand-written: the packaged reply parsers (email-reply-parser, talon)
know only English markers or are unmaintained, and German mail clients write
"Am … schrieb …:" / "-----Ursprüngliche Nachricht-----".
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses

import nh3

from .fingerprint import content_hash
from .senders import repaired_headers, sender_of

MAX_NESTING = 20

_QUOTE_HEADERS = [
    re.compile(r"^\s*On .{1,200} wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Am .{1,200} schrieb .{0,200}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*(From|Von):\s.+$"),
    re.compile(r"^_{10,}\s*$"),  # Outlook's separator line
]
_GERMAN_HINTS = re.compile(
    r"\b(der|die|das|und|nicht|ich|ist|mit|bitte|geht|funktioniert|danke|hallo|mein|kein|sie)\b",
    re.IGNORECASE,
)
_ENGLISH_HINTS = re.compile(
    r"\b(the|and|not|is|with|please|does|work|thanks|hello|my|cannot|can't|you|it)\b", re.IGNORECASE
)


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    payload: bytes


@dataclass
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    in_reply_to: list[str]
    references: list[str]
    body: str
    html_original: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_reason: str = ""
    language: str = "en"
    headers: dict[str, str] = field(default_factory=dict)
    sender_header: str = "From"  # where the sender address was found (mailin.senders.SOURCES)


def parse(raw: bytes) -> ParsedMail:
    """Parse a mail. Raises ValueError for mail that cannot be used (it goes to quarantine)."""
    msg = email.message_from_bytes(repaired_headers(raw), policy=email.policy.default)
    if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default always gives EmailMessage
        raise ValueError("not a mail")
    sender = sender_of(msg)
    if not sender.address:
        raise ValueError("no sender address")
    if _depth(msg) > MAX_NESTING:
        raise ValueError("too deeply nested")
    text, html_body, attachments = _bodies(msg)
    if not text and html_body:
        text = html_to_text(html_body)
    body = strip_quotes(text)
    subject = _header(msg, "Subject")[:255]
    return ParsedMail(
        message_id=message_id_of(msg, raw),
        from_address=sender.address,
        from_name=sender.name,
        sender_header=sender.header,
        to=_addresses(msg, "To", "Delivered-To", "X-Original-To"),
        cc=_addresses(msg, "Cc"),
        subject=subject,
        in_reply_to=_ids(_header(msg, "In-Reply-To")),
        references=_ids(_header(msg, "References")),
        body=body,
        html_original=html_body if html_body and not _plain_part_exists(msg) else "",
        attachments=attachments,
        auto_reason=auto_reason(msg, sender.address),
        language=guess_language(msg, subject + "\n" + body),
    )


def message_id_of(msg: EmailMessage, raw: bytes) -> str:
    ids = _ids(_header(msg, "Message-ID"))
    if ids:
        return ids[0][:255]
    # No Message-ID: the digest of the content stands in, so the same mail fetched twice is one mail.
    return f"<sha256-{content_hash(raw)}@no-message-id>"


@dataclass
class Headers:
    message_id: str
    from_address: str
    subject: str


def headers_of(raw: bytes) -> Headers:
    """Message-ID, sender and subject from the header block alone — never raises."""
    try:
        msg = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(repaired_headers(raw))
        return Headers(
            message_id=message_id_of(msg, raw),  # type: ignore[arg-type]
            from_address=sender_of(msg).address,
            subject=_header(msg, "Subject"),  # type: ignore[arg-type]
        )
    except Exception:  # bytes no parser understands still get a stable id
        return Headers(f"<sha256-{content_hash(raw)}@unparseable>", "", "")


def auto_reason(msg: EmailMessage, from_address: str) -> str:
    """Why this mail is machine-made (and must never trigger mail back), or ''."""
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(msg, "Precedence").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if _header(msg, name):
            return name
    if _header(msg, "X-Helpdesk-Loop"):
        return "our own mail (X-Helpdesk-Loop)"
    local = from_address.split("@", 1)[0].lower()
    if local in {"mailer-daemon", "postmaster"} or _header(msg, "Return-Path").strip() == "<>":
        return "bounce"
    if msg.get_content_type() == "multipart/report":
        return "delivery report"
    return ""


def strip_quotes(text: str) -> str:
    """The new part of a reply: everything above the first quote header, minus trailing '>' lines."""
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if i > 0 and any(p.match(line) for p in _QUOTE_HEADERS):
            lines = lines[:i]
            break
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip()


def html_to_text(markup: str) -> str:
    """Safe text from HTML: block ends become line breaks, every tag and script is dropped."""
    markup = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", "\n", markup)
    text = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    text = html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def guess_language(msg: EmailMessage, text: str) -> str:
    declared = (_header(msg, "Content-Language") or "").lower()[:2]
    if declared in {"de", "en"}:
        return declared
    return "de" if len(_GERMAN_HINTS.findall(text)) > len(_ENGLISH_HINTS.findall(text)) else "en"


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the parser cannot decode
        return ""
    return str(value).strip() if value is not None else ""


def _addresses(msg: EmailMessage, *names: str) -> list[str]:
    values = [_header(msg, n) for n in names]
    return [addr.lower() for _name, addr in getaddresses([v for v in values if v]) if "@" in addr]


def _ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]{1,250}>", value or "")


def _depth(part: EmailMessage, level: int = 0) -> int:
    if level > MAX_NESTING or not part.is_multipart():
        return level
    return max([_depth(p, level + 1) for p in part.iter_parts()] or [level])  # type: ignore[arg-type]


def _plain_part_exists(msg: EmailMessage) -> bool:
    return any(p.get_content_type() == "text/plain" and not p.is_attachment() for p in msg.walk())


def _decode(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name: keep the text readable anyway
        return payload.decode("utf-8", errors="replace")


def _bodies(msg: EmailMessage) -> tuple[str, str, list[ParsedAttachment]]:
    text, html_body = "", ""
    attachments: list[ParsedAttachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if part.is_attachment() or (part.get_filename() and ctype not in ("text/plain", "text/html")):
            attachments.append(
                ParsedAttachment(
                    filename=part.get_filename() or "attachment",
                    content_type=ctype,
                    payload=part.get_payload(decode=True) or b"",
                )
            )
        elif ctype == "text/plain" and not text:
            text = _decode(part)
        elif ctype == "text/html" and not html_body:
            html_body = _decode(part)
    return text, html_body, attachments

"""Turn raw RFC 5322 bytes into what the helpdesk needs. Standard library ``email`` only.

Quote stripping is hand-written: the packaged reply parsers (email-reply-parser, talon)
know only English markers or are unmaintained, and German mail clients write
"Am … schrieb …:" / "-----Ursprüngliche Nachricht-----".
"""

from __future__ import annotations

import base64
import email
import email.errors
import email.header
import email.parser
import email.policy
import html
import mimetypes
import quopri
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses

import nh3
from django.utils.text import get_valid_filename

from .fingerprint import content_hash
from .senders import repaired_headers, sender_of

MAX_NESTING = 20

_QUOTE_HEADERS = [
    re.compile(r"^\s*On .{1,200} wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Am .{1,200} schrieb .{0,200}:\s*$", re.IGNORECASE),
    re.compile(
        r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Original[- ]Nachricht)\s*-{2,}\s*$",
        re.IGNORECASE,
    ),
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
    content_id: str = ""  # inline images: what the HTML's cid: references point at


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
    msg = email.message_from_bytes(repaired_headers(raw), policy=POLICY)
    if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default always gives EmailMessage
        raise ValueError("not a mail")
    sender = sender_of(msg)
    if not sender.address:
        raise ValueError("no sender address")
    if _depth(msg) > MAX_NESTING:
        raise ValueError("too deeply nested")
    # The whole subject (a ticket keeps as much as fits and the rest in its text).
    subject = decode_words(_raw_header(msg, "Subject"))[:2000]
    body, html_body, attachments = _content(msg, raw, subject)
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
        html_original=html_body,
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
    """The new part of a reply: everything above the first quote header, minus trailing '>' lines.

    When nothing is above the quote (a bottom-posted answer, a bare resend), the whole text is
    the content."""
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if i > 0 and any(p.match(line) for p in _QUOTE_HEADERS):
            lines = lines[:i]
            break
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    if not any(line.strip() and not any(p.match(line) for p in _QUOTE_HEADERS) for line in lines):
        return text.strip()
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


# --- Charsets ----------------------------------------------------------------------------

# Labels that mail clients put on text in a larger character set: decode with the superset, as
# browsers and mail gateways do (WHATWG encoding standard; ISO-2022-JP with its JIS extensions).
_CHARSET_SUPERSETS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "x-gbk": ("gb18030",),
    "iso-gb2312": ("gb18030",),
    "gb_2312-80": ("gb18030",),
    "euc-cn": ("gb18030",),
    "cn-gb": ("gb18030",),
    "iso-2022-jp": ("iso2022_jp_ext", "iso2022_jp_2004", "x-iso-2022-jp-windows"),
    "shift_jis": ("cp932",),
    "sjis": ("cp932",),
    "x-sjis": ("cp932",),
    "euc-kr": ("cp949",),
    "ks_c_5601-1987": ("cp949",),
    "big5": ("big5hkscs",),
    "iso-8859-1": ("cp1252",),
    "latin1": ("cp1252",),
    "iso-8859-8-i": ("iso-8859-8",),
    "tis-620": ("cp874",),
    "windows-874": ("cp874",),
}
_NO_CHARSET = {"", "unknown-8bit", "x-unknown", "unknown", "default", "8bit", "binary"}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in a declared (maybe wrong, maybe missing) charset — never raises.

    The declared charset (or its superset) first; then UTF-8; then Windows-1252, which is
    what undeclared 8-bit mail from Western clients nearly always is. Declared UTF-8 that is
    broken keeps its good characters."""
    label = (charset or "").strip().strip("\"'").lower()
    candidates: list[str] = []
    if label not in _NO_CHARSET:
        candidates += _CHARSET_SUPERSETS.get(label, (label,))
    candidates += ["utf-8", "cp1252"]
    for name in candidates:
        try:
            return _clean(_iso2022jp_windows(data) if name == "x-iso-2022-jp-windows" else data.decode(name))
        except (LookupError, UnicodeDecodeError):
            if name.replace("-", "").replace("_", "") == "utf8" and label not in _NO_CHARSET:
                return _clean(data.decode("utf-8", errors="replace"))
    return _clean(data.decode("latin-1"))


def _iso2022jp_windows(data: bytes) -> str:
    """ISO-2022-JP as Windows writes it (CP50220/50221: NEC and IBM characters such as ① or ㈱,
    half-width katakana): each JIS pair is turned into its Shift_JIS bytes and read as CP932."""
    out, mode, i = bytearray(), "ascii", 0
    escapes = {b"\x1b(B": "ascii", b"\x1b(J": "ascii", b"\x1b(I": "kana", b"\x1b$@": "jis", b"\x1b$B": "jis"}
    while i < len(data):
        seq = data[i : i + 3]
        if seq in escapes:
            mode, i = escapes[seq], i + 3
        elif data[i] in (0x0A, 0x0D) or mode == "ascii":
            out.append(data[i])
            i += 1
        elif mode == "kana":
            out.append(data[i] | 0x80)
            i += 1
        else:
            j1, j2 = data[i], data[i + 1] if i + 1 < len(data) else 0x21
            s1 = (j1 + 1) // 2 + 0x70
            s1 += 0x40 if s1 >= 0xA0 else 0
            s2 = j2 + (0x1F + (j2 >= 0x60) if j1 % 2 else 0x7E)
            out += bytes([s1 & 0xFF, s2 & 0xFF])
            i += 2
    return out.decode("cp932")


def _clean(text: str) -> str:
    """Text the database stores: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.encode("utf-8", errors="replace").decode("utf-8")


def _fix_8bit(value: str) -> str:
    """A header read from bytes keeps raw 8-bit bytes as surrogates: decode them as text."""
    if not re.search("[\udc80-\udcff]", value):
        return value
    return decode_bytes(value.encode("utf-8", errors="surrogateescape"), None)


class _Policy(email.policy.EmailPolicy):
    """The default policy, but raw 8-bit header bytes (unencoded umlauts in Subject or in a
    file name) become characters instead of vanishing."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        return name, _fix_8bit(value)


POLICY = _Policy()


def decode_words(value: str) -> str:
    """An RFC 2047 header value as text, each encoded word in its (robust) charset."""
    value = re.sub(r"\r?\n(?=[ \t])", "", value or "")
    try:
        chunks = email.header.decode_header(value)
    except Exception:  # broken base64 in an encoded word: keep what is readable
        return _clean(value).strip()
    text = "".join(
        chunk
        if isinstance(chunk, str)
        else chunk.decode("raw-unicode-escape")
        if charset is None
        else decode_bytes(chunk, charset)
        for chunk, charset in chunks
    )
    return re.sub(r"\s+", " ", _clean(text)).strip()


def _raw_header(msg: EmailMessage, name: str) -> str:
    wanted = name.lower()
    return next((str(v) for k, v in msg.raw_items() if k.lower() == wanted), "")


# --- Parts -------------------------------------------------------------------------------

_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|wg|tr|wtr|doorst|rv|enc)\s*:", re.IGNORECASE)
_FORWARD_MARKER = re.compile(
    r"^\s*(-{2,}\s*(Forwarded message|Forwarded Message|Weitergeleitete Nachricht|Weitergeleitete E-Mail)"
    r"\s*-{2,}|Begin forwarded message:|Anfang der weitergeleiteten (Nachricht|E-Mail):)\s*$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class _Parts:
    texts: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)  # HTML bodies whose text is in ``texts``
    html_twins: list[str] = field(default_factory=list)  # HTML with a text/plain alternative
    attachments: list[ParsedAttachment] = field(default_factory=list)
    attached_mails: list[str] = field(default_factory=list)  # quoted blocks, after the text


def _walk(part: EmailMessage, out: _Parts, level: int = 0) -> None:
    """Every part, in order: text parts become body text, everything else an attachment."""
    ctype = part.get_content_type()
    if level > MAX_NESTING:
        return
    if ctype == "message/rfc822":
        _attached_mail(part, out, level)
    elif part.is_multipart():
        children: list[EmailMessage] = list(part.iter_parts())  # type: ignore[arg-type]
        if ctype == "multipart/alternative":
            _alternative(children, out, level)
        elif ctype == "multipart/related" and children:
            start = part.get_param("start")
            root = next((c for c in children if start and c.get("Content-ID") == start), children[0])
            for child in [root, *[c for c in children if c is not root]]:
                _walk(child, out, level + 1)
        else:  # mixed, digest, signed, report, and anything unknown: each part in turn
            for child in children:
                _walk(child, out, level + 1)
    elif ctype in ("text/plain", "text/html") and part.get_content_disposition() != "attachment":
        text = _decode(part)
        if ctype == "text/html":
            out.html.append(text)
            text = html_to_text(text)
        out.texts.append(text)
    elif ctype.startswith("multipart/"):  # a multipart without (a matching) boundary: raw text
        out.texts.append(_decode(part))
    else:
        out.attachments.append(_attachment(part, len(out.attachments) + 1))


def _alternative(children: list[EmailMessage], out: _Parts, level: int) -> None:
    """One version of the content: the plain text unless it is blank, else the richest other
    one. The HTML and its inline images are kept either way."""
    plain = next((c for c in children if c.get_content_type() == "text/plain"), None)
    plain_text = _decode(plain) if plain is not None else ""
    rich = _Parts()
    for child in reversed([c for c in children if c is not plain]):
        _walk(child, rich, level + 1)
        if any(t.strip() for t in rich.texts) or rich.attachments:
            break
        rich = _Parts()
    if plain_text.strip():
        out.texts.append(plain_text)
        out.html_twins += rich.html + rich.html_twins
    else:
        out.texts += rich.texts
        out.html += rich.html
        out.html_twins += rich.html_twins
    out.attachments += rich.attachments
    out.attached_mails += rich.attached_mails


def _attached_mail(part: EmailMessage, out: _Parts, level: int) -> None:
    """An attached (forwarded) mail: kept whole as .eml, its text shown as a quoted block."""
    inner = part.get_payload(0) if part.is_multipart() else None
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() in ("base64", "quoted-printable"):
        inner = _embedded_mail(part, inner)
    if not isinstance(inner, EmailMessage):
        out.attachments.append(_attachment(part, len(out.attachments) + 1))
        return
    subject = decode_words(_raw_header(inner, "Subject"))
    raw = _as_bytes(inner)
    # The name it is stored under (attachment_add cleans names the same way), so the text can refer to it.
    filename = get_valid_filename(_filename(part) or f"{subject[:80] or 'attached mail'}.eml")
    out.attachments.append(ParsedAttachment(filename, "message/rfc822", raw))
    parts = _Parts()
    _walk(inner, parts, level + 1)
    head = [
        f"{label}: {value}"
        for label, value in (
            ("From", decode_words(_raw_header(inner, "From"))),
            ("Date", decode_words(_raw_header(inner, "Date"))),
            ("Subject", subject),
        )
        if value
    ]
    text = "\n".join(head) + "\n\n" + _join(parts.texts + parts.attached_mails)
    quoted = "\n".join(f"> {line}".rstrip() for line in text.strip().split("\n"))
    out.attached_mails.append(f"---------- {filename} ----------\n{quoted}")


def _embedded_mail(part: EmailMessage, parsed: EmailMessage | None) -> EmailMessage | None:
    """A message/rfc822 the sender encoded (base64 — RFC 2046 forbids it, Outlook does it): the
    parser took the encoded text for a mail without headers; decode it and read that."""
    encoded = parsed.get_payload() if parsed is not None else part.get_payload()
    if not isinstance(encoded, str):
        return parsed
    try:
        if str(part.get("Content-Transfer-Encoding")).strip().lower() == "base64":
            payload = base64.b64decode(encoded.encode("ascii", errors="ignore"))
        else:
            payload = quopri.decodestring(encoded.encode("ascii", errors="ignore"))
    except ValueError:
        return parsed
    inner = email.message_from_bytes(payload, policy=POLICY)
    return inner if isinstance(inner, EmailMessage) and (inner["From"] or inner["Subject"]) else parsed


def _attachment(part: EmailMessage, index: int) -> ParsedAttachment:
    ctype = part.get_content_type()
    content_id = (part.get("Content-ID") or "").strip().strip("<>")
    name = _filename(part)
    if not name:
        ext = mimetypes.guess_extension(ctype) or ".bin"
        base = content_id.split("@", 1)[0] if content_id else f"part-{index}"
        name = base if base.lower().endswith(ext) or re.search(r"\.\w{2,4}$", base) else base + ext
    payload = part.get_payload(decode=True)
    if payload is None:  # message/* parts without a single payload
        payload = _as_bytes(part) if part.is_multipart() else b""
    return ParsedAttachment(name, ctype, payload, content_id)


_WRITE_POLICY = POLICY.clone(utf8=True)  # headers that were raw 8-bit are written back as UTF-8


def _as_bytes(part: EmailMessage) -> bytes:
    """A part written back as bytes, also when the generator cannot (a charset it does not know)."""
    try:
        return part.as_bytes(policy=_WRITE_POLICY)
    except Exception:
        head = "".join(f"{name}: {value}\n" for name, value in part.raw_items())
        body = part.get_payload() if isinstance(part.get_payload(), str) else ""
        return _clean(f"{head}\n{body}").encode("utf-8", errors="surrogateescape")


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # a Content-Disposition the parser chokes on
        name = ""
    return decode_words(name) if "=?" in name else _clean(name).strip()


def _decode(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", errors="surrogateescape")
    return decode_bytes(payload, part.get_content_charset()).replace("\r\n", "\n")


def _join(texts: list[str]) -> str:
    return "\n\n".join(t.strip("\n") for t in texts if t.strip())


def _content(msg: EmailMessage, raw: bytes, subject: str) -> tuple[str, str, list[ParsedAttachment]]:
    """Body text, the HTML to keep (or ''), and the attachments of a mail."""
    parts = _Parts()
    _walk(msg, parts)
    text = _join(parts.texts)
    body = text.strip() if _is_forward(subject, text) else strip_quotes(text)
    if not body and not parts.attachments and not parts.attached_mails and _structure_broken(msg):
        body = _raw_body(raw)  # nothing usable came out of a broken structure: the raw text is the body
    body = "\n\n".join(b for b in [body, *parts.attached_mails] if b)
    # The HTML is kept when it is the text's source, or when it shows inline images.
    html_kept = next(iter(parts.html), "") or next((h for h in parts.html_twins if "cid:" in h), "")
    return body, html_kept, parts.attachments


def _is_forward(subject: str, text: str) -> bool:
    """A forward (its content is content): by its subject, or a forward marker above any quote."""
    if _FORWARD_SUBJECT.match(subject):
        return True
    marker = _FORWARD_MARKER.search(text)
    if marker is None:
        return False
    above = text[: marker.start()].split("\n")[1:]
    return not any(p.match(line) for line in above for p in _QUOTE_HEADERS)


_BROKEN_STRUCTURE = (
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.CloseBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
)


def _structure_broken(msg: EmailMessage) -> bool:
    """The MIME structure is broken (a missing or never-seen boundary), not merely empty: a mail of
    well-formed but blank parts keeps "(no text)" rather than showing its MIME scaffolding."""
    return any(isinstance(d, _BROKEN_STRUCTURE) for part in msg.walk() for d in part.defects)


def _raw_body(raw: bytes) -> str:
    _head, _sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    return decode_bytes(body, None).strip()

"""How our mails are recognised when customers reply: a signed reply token in the Reply-To
address (plus-addressing) and the Message-IDs we store. The mailin app reads these back."""

from __future__ import annotations

import hmac
import re
from hashlib import sha256

from django.conf import settings

from tickets.models import Ticket

TOKEN_RE = re.compile(r"\+t(\d{1,12})-([0-9a-f]{12})@", re.IGNORECASE)


def _token_mac(ticket_pk: int) -> str:
    key = (settings.SECRET_KEY + ":mailin-reply-token").encode()
    return hmac.new(key, str(ticket_pk).encode(), sha256).hexdigest()[:12]


def reply_address(*, ticket: Ticket, address: str | None = None) -> str:
    """The Reply-To for mail about ``ticket``: support+t123-<mac>@domain."""
    local, _at, domain = (address or settings.DEFAULT_FROM_EMAIL).partition("@")
    return f"{local.split('+', 1)[0]}+t{ticket.pk}-{_token_mac(ticket.pk)}@{domain}"


def ticket_pk_from_token(addresses: list[str]) -> int | None:
    for addr in addresses:
        match = TOKEN_RE.search(addr)
        if match and hmac.compare_digest(match.group(2).lower(), _token_mac(int(match.group(1)))):
            return int(match.group(1))
    return None

from __future__ import annotations

from typing import Any

from anymail.signals import inbound
from django.dispatch import receiver

from .services import inbound_process, inbound_store


@receiver(inbound, dispatch_uid="mailin-anymail-inbound")
def anymail_inbound(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """A hosted mail service delivered a mail (signature already verified by anymail)."""
    stored = inbound_store(raw=event.message.as_bytes())
    if stored is not None:
        inbound_process(pk=stored.pk)

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


def copy_participants_on_merge(sender: Any, *, ticket: Any, event: Any, **kwargs: Any) -> None:
    """A ticket merged into ``ticket`` (``tickets.merge``): its participants may write to the target
    too, approved as they were (in the merge's transaction)."""
    from .models import Participant

    if event.kind != "merged" or event.field != "merged_from":
        return
    for p in Participant.objects.filter(ticket_id=event.data.get("source")).order_by("pk"):
        Participant.objects.get_or_create(
            ticket=ticket, email=p.email, defaults={"approved": p.approved, "approved_by": p.approved_by}
        )

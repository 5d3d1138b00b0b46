from celery import shared_task

from .models import Mailbox
from .services import mailbox_fetch, pending_process


@shared_task
def fetch_all_mailboxes() -> None:
    """Beat, every minute: poll each active mailbox, then finish anything a killed worker left."""
    for mailbox in Mailbox.objects.filter(active=True):
        try:
            mailbox_fetch(mailbox=mailbox)
        except Exception:  # one broken mailbox must not stop the others; its error is stored on it
            continue
    pending_process()

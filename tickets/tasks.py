from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .services import idempotency_keys_purge


@shared_task
def purge_idempotency_keys() -> int:
    """Periodic: drop Idempotency-Key records past their time to live (safe to run twice)."""
    return idempotency_keys_purge(older_than=settings.HELPDESK_IDEMPOTENCY_KEY_TTL)


@shared_task
def bulk_job_run(job_id: str) -> None:
    """Run a bulk job chunk by chunk; each chunk commits on its own, so running twice is harmless."""
    from .bulk import bulk_job_step

    while bulk_job_step(job_id=job_id):
        pass

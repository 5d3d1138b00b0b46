from __future__ import annotations

from celery import shared_task

from .retention import retention_run_all


@shared_task(name="privacy.tasks.retention_sweep")
def retention_sweep() -> int:
    """Runs every active retention rule (idempotent: a second run removes nothing more)."""
    return sum(run.removed_tickets for run in retention_run_all())

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def rules_time_sweep() -> dict[int, int]:
    """Fire the time rules due now. Safe to run twice at once (SKIP LOCKED, one log row per anchor)."""
    return services.rules_time_sweep()

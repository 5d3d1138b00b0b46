from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sla_sweep() -> dict[str, int]:
    """Record the SLA warnings and breaches due now. Safe to run twice at once and after restarts."""
    return services.sla_sweep()

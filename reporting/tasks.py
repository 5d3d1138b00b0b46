from __future__ import annotations

from celery import shared_task

from . import rollup
from .services import weekly_digest_send


@shared_task
def weekly_digest() -> int:
    """Monday morning: last week's numbers to the supervisors (idempotent per week)."""
    return weekly_digest_send()


@shared_task
def rollup_refresh() -> int:
    """Every minute: fold the days changed since into the metrics' summary rows (idempotent)."""
    return rollup.rollup_refresh()

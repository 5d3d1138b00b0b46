from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sla_sweep() -> dict[str, int]:
    """Record the SLA warnings and breaches due now. Safe to run twice at once and after restarts."""
    return services.sla_sweep()


@shared_task(ignore_result=True)
def sla_policy_reapply(policy_id: int, after_ticket_id: int = 0) -> None:
    """Recompute open tickets of a changed policy, one batch per run; re-enqueues itself until done."""
    last = services.sla_policy_reapply(policy_id=policy_id, after_ticket_id=after_ticket_id)
    if last:
        sla_policy_reapply.delay(policy_id=policy_id, after_ticket_id=last)

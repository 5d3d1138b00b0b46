"""Thin Celery tasks: ids in, a service call, safe to run twice (the claim makes them so)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.tasks.deliver_notifications")
def deliver_notifications(ids: list[int]) -> int:
    # acks_late (settings) + the claim's lease: a worker killed here leaves the row for another one.
    return services.notification_deliver_batch(pks=ids)


@shared_task(name="notifications.tasks.redispatch_pending")
def redispatch_pending() -> int:
    return services.notification_redispatch()

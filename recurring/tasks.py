from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def recurring_sweep() -> int:
    """Opens the tickets of the schedules that are due (safe to run twice at once: services.py)."""
    return services.recurring_sweep()

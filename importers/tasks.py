"""The import started on the supervisor page, run by a worker (``services.import_run_perform``)."""

from celery import shared_task

from . import services

# An import of 100,000 tickets takes minutes; the global limit (CELERY_TASK_TIME_LIMIT, 5 min) is for
# short tasks. A run stopped by this limit fails with that message and runs again where it stopped.
SOFT_LIMIT_SECONDS = 6 * 3600


@shared_task(ignore_result=True, soft_time_limit=SOFT_LIMIT_SECONDS, time_limit=SOFT_LIMIT_SECONDS + 120)
def import_run_task(run_id: str) -> None:
    """Safe to run twice: the run is claimed once (a finished or busy run is left alone)."""
    services.import_run_perform(run_id=run_id)

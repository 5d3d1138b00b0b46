import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(sender: Any = None, **kwargs: Any) -> None:
    """Treat each task like Django treats a request: keep the connection for ``CONN_MAX_AGE``.

    Celery's Django fixup closes every connection before and after each task unless
    ``CELERY_DB_REUSE_MAX`` is set (settings), so a worker paid a new PostgreSQL connection and a cold
    backend per task — about 25 ms of a 40 ms one-mail task. Here a connection is closed when it is
    obsolete (``CONN_MAX_AGE``), broken or left in a transaction, and ``CONN_HEALTH_CHECKS`` tests a kept
    one before its first query. Eager tasks (tests) run inside the caller's transaction: leave them be.
    """
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections  # Django is set up before any task runs

    close_old_connections()

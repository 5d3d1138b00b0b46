"""The page's import run by the real thing: a Celery worker takes the task enqueued on commit and
imports the uploaded django-helpdesk dumpdata JSON; a task delivered twice does nothing more."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from importers import services
from importers.models import ImportRun
from importers.tasks import import_run_task
from tests.conftest import wait_for
from tests.importers.conftest import dumpdata_upload
from tickets.models import Ticket


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_imports_an_uploaded_dumpdata_file(dataset, sam, worker) -> None:  # noqa: ANN001
    _proc, log_path = worker
    # when: the supervisor's upload is committed, its task goes to the broker
    run = services.import_run_start(by=sam, kind="django-helpdesk", upload=dumpdata_upload(dataset))
    # then
    assert wait_for(lambda: ImportRun.objects.get(pk=run.pk).finished, 90), log_path.read_text()[-3000:]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.error
    assert (run.done, run.total) == (4, 4)
    assert run.report["counts"]["ticket"] == {"imported": 3, "skipped": 1}
    by_id = {t["id"]: t for t in dataset["summary"]["tickets"]}
    for pk in (1, 2, 3):
        ticket = Ticket.objects.get(pk=pk)  # the original number kept
        assert ticket.subject == by_id[pk]["title"]
        assert ticket.created_at == datetime.fromisoformat(by_id[pk]["created"])  # and the original time
    assert "importers.tasks.import_run_task" in log_path.read_text()
    # the same task again (a redelivery): the finished run is left as it is
    finished_at = run.finished_at
    import_run_task.delay(str(run.pk))
    assert wait_for(lambda: log_path.read_text().count("importers.tasks.import_run_task") >= 4, 30)
    time.sleep(0.5)
    assert ImportRun.objects.get(pk=run.pk).finished_at == finished_at
    assert Ticket.objects.count() == 3

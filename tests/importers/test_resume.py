"""Killed mid-way (SIGKILL, no goodbye), the import leaves no half ticket and the next run continues
where it stopped: every ticket exactly once, with all its messages.

The source is a real django-helpdesk database: its schema from django-helpdesk's own migrations (in
the virtualenv of ``test_django_helpdesk.py``), filled in bulk (``django_helpdesk_site/bulk_data.py``)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.models import Count

from importers.models import ImportedRecord
from importers.services import import_execute
from tests import conftest
from tests.conftest import ROOT, wait_for
from tests.importers.django_helpdesk_site.bulk_data import fill
from tests.importers.test_django_helpdesk import HERE, _venv
from tickets.models import Message, Ticket

TICKETS, PER_TICKET = 1500, 3


def _source(path: Path, tickets: int, per_ticket: int) -> str:
    subprocess.run(  # noqa: S603
        [str(_venv()), str(HERE / "django_helpdesk_site" / "make_schema.py"), str(path)], check=True
    )
    conn = sqlite3.connect(path)
    fill(conn, "sqlite", tickets=tickets, per_ticket=per_ticket)
    conn.close()
    return f"sqlite:///{path}"


@pytest.fixture
def big_source(tmp_path: Path) -> str:
    return _source(tmp_path / "helpdesk.sqlite3", TICKETS, PER_TICKET)


@pytest.mark.django_db
def test_a_batch_of_tickets_costs_a_few_queries_not_a_few_per_ticket(
    tmp_path, django_assert_max_num_queries, caplog
) -> None:  # noqa: ANN001
    source = _source(tmp_path / "small.sqlite3", 500, 4)  # two batches of 250, 505 people
    with django_assert_max_num_queries(80):  # ticket by ticket it was ~3,500
        report, _mapping = import_execute(source_name="django-helpdesk", location=source)
    assert report.counts["ticket"]["imported"] == 500
    assert Message.objects.count() == 2000
    assert "retrying ticket by ticket" not in caplog.text  # the fast path did it, not the fallback


def _imported() -> int:
    return ImportedRecord.objects.filter(kind="ticket").count()


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_way_continues_where_it_stopped(big_source, tmp_path) -> None:  # noqa: ANN001
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": conftest.test_database_url(),
        "HELPDESK_VAR_DIR": str(tmp_path),
        "CONN_MAX_AGE": "0",
    }
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, str(ROOT / "manage.py"), "import_tickets", "--from", "django-helpdesk", big_source],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: _imported() >= 300, timeout=240, interval=0.2), "the import did not start"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    done = _imported()
    assert 0 < done < TICKETS, "killed too late to show anything"
    # nothing half-imported: each ticket there has its record and all its messages
    assert Ticket.objects.count() == done
    counts = Ticket.objects.annotate(n=Count("messages")).values_list("n", flat=True)
    assert set(counts) == {PER_TICKET}
    # the next run continues: what is there stays, the rest comes
    report, _mapping = import_execute(source_name="django-helpdesk", location=big_source)
    assert report.counts["ticket"]["unchanged"] == done
    assert report.counts["ticket"]["imported"] == TICKETS - done
    assert Ticket.objects.count() == TICKETS
    assert Message.objects.count() == TICKETS * PER_TICKET
    assert _imported() == TICKETS
    assert sorted(Ticket.objects.values_list("pk", flat=True)) == list(range(1, TICKETS + 1))

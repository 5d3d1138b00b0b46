"""Bench: import a django-helpdesk database of 100,000 tickets with 400,000 follow-ups (issue #15:
≤ 5 minutes on the 2-core machine, memory ≤ 500 MB).

    python bench/importers.py [--tickets 100000] [--messages-per-ticket 4] [--keep-source] [--profile]

1. Source: a PostgreSQL database (``--source-url``, default ``hd_h2_source`` on 127.0.0.1) with
   django-helpdesk's real schema, made by the migrations of django-helpdesk 2.6.1 in its own
   virtualenv (the one the tests build, ``tests/importers/test_django_helpdesk.py``; psycopg is
   added to it), then filled with COPY (``tests/importers/django_helpdesk_site/bulk_data.py``).
   ``--keep-source`` reuses a source made before; ``--source-only`` makes it and stops.
2. Target: a fresh database (``--target-url``, default ``hd_h2_bench``), migrated.
3. The import as ``manage.py import_tickets --from django-helpdesk URL`` runs it (same service),
   timed; then the wall time, tickets/s, messages/s and the peak RSS (``ru_maxrss``) are printed,
   with the load average (other processes share the machine). ``--profile`` prints a cProfile.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _psql(url: str, *sql: str) -> None:
    u = urlparse(url)
    admin = ["-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    for statement in sql:
        subprocess.run(["psql", *admin, "-d", "postgres", "-qc", statement], check=True)  # noqa: S603, S607


def fresh_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    _psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def make_source(url: str, tickets: int, per_ticket: int) -> float:
    import psycopg

    from tests.importers.django_helpdesk_site.bulk_data import fill
    from tests.importers.test_django_helpdesk import _venv

    started = time.monotonic()
    python = _venv()
    if subprocess.run([str(python), "-c", "import psycopg"], capture_output=True).returncode:  # noqa: S603
        subprocess.run([str(python), "-m", "pip", "install", "-q", "psycopg[binary]"], check=True)  # noqa: S603
    fresh_database(url)
    script = ROOT / "tests" / "importers" / "django_helpdesk_site" / "make_schema.py"
    subprocess.run([str(python), str(script), url], check=True)  # noqa: S603
    with psycopg.connect(url) as conn:
        written = fill(conn, "postgresql", tickets=tickets, per_ticket=per_ticket)
        conn.execute("ANALYZE")
    took = time.monotonic() - started
    print(f"source: {written['tickets']:,} tickets, {written['followups']:,} follow-ups in {took:.0f} s")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages-per-ticket", type=int, default=4)
    parser.add_argument("--source-url", default="postgres://postgres@127.0.0.1:5432/hd_h2_source")
    parser.add_argument("--target-url", default="postgres://postgres@127.0.0.1:5432/hd_h2_bench")
    parser.add_argument("--keep-source", action="store_true", help="reuse the source database")
    parser.add_argument("--source-only", action="store_true", help="make the source database, import nothing")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.target_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production: no query log growing in memory
    from django.core.management import call_command
    from django.db import connection

    from importers.services import import_execute
    from tickets.models import Message, Ticket

    if not args.keep_source:
        make_source(args.source_url, args.tickets, args.messages_per_ticket)
    if args.source_only:
        return
    connection.close()
    fresh_database(args.target_url)
    call_command("migrate", verbosity=0)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    last = [time.monotonic()]

    def progress(done: int) -> None:
        if time.monotonic() - last[0] > 15:
            last[0] = time.monotonic()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {done:,} tickets, {time.monotonic() - started:.0f} s, peak RSS {rss:.0f} MB", flush=True
            )

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    load_before = os.getloadavg()
    started = time.monotonic()
    report, _mapping = import_execute(
        source_name="django-helpdesk", location=args.source_url, progress=progress
    )
    wall = time.monotonic() - started
    load_after = os.getloadavg()
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tickets, messages = Ticket.objects.count(), Message.objects.count()
    counts = {kind: dict(c) for kind, c in report.counts.items()}
    print(f"imported: {counts}")
    print(f"in the target: {tickets:,} tickets, {messages:,} messages")
    print(
        f"wall {wall:.1f} s ({wall / 60:.1f} min), {tickets / wall:.0f} tickets/s, {messages / wall:.0f} messages/s"
    )
    print(f"peak RSS {rss:.0f} MB (before the import {rss_before:.0f} MB)")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} on {os.cpu_count()} cores")
    ok = wall <= 300 and rss <= 500
    print("target (≤ 300 s, ≤ 500 MB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()

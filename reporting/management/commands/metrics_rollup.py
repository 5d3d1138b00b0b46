"""Fold the days changed since the last refresh into the metrics' summary rows.

Beat does this every minute; run it by hand after a bulk load (``seed_load``) so the first
dashboard does not read a year of tickets live, or with ``--rebuild`` to cut every day anew.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from reporting.rollup import rollup_rebuild, rollup_refresh


class Command(BaseCommand):
    help = "Fold changed days into the metrics summary rows (PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="drop the summary rows and cut every day anew"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["rebuild"]:
            rollup_rebuild()
        days = rollup_refresh()
        self.stdout.write(f"folded {days} changed days in {time.perf_counter() - started:.1f} s")

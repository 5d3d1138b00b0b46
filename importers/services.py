"""Running an import: the source opened, the mapping built (defaults + the file), the engine run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .engine import Importer, Report
from .mapping import Mapping
from .models import ImportRun
from .sources.base import Source, source_open


def source_and_mapping(
    *, source_name: str, location: str, options: dict[str, Any] | None = None, mapping_text: str = ""
) -> tuple[Source, Mapping]:
    """The opened source and the mapping to use: the defaults guessed from the source's values,
    overridden by the mapping file's entries. Raises ``SourceError`` / ``MappingError``."""
    raw = Mapping.parse(mapping_text) if mapping_text else {}
    opts = dict(options or {})
    if source_name == "csv" and raw.get("columns"):
        opts.setdefault("columns", raw["columns"])
    source = source_open(source_name, location, **opts)
    defaults = Mapping.defaults(source.describe_values())
    mapping = Mapping.from_yaml(mapping_text, defaults=defaults) if mapping_text else defaults
    return source, mapping


def import_execute(
    *,
    source_name: str,
    location: str,
    options: dict[str, Any] | None = None,
    mapping_text: str = "",
    dry_run: bool = False,
    since: datetime | None = None,
    by: Any = None,
    run: ImportRun | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int | None = None,
) -> tuple[Report, Mapping]:
    source, mapping = source_and_mapping(
        source_name=source_name, location=location, options=options, mapping_text=mapping_text
    )
    try:
        kwargs = {"batch_size": batch_size} if batch_size else {}
        importer = Importer(
            source, mapping, dry_run=dry_run, since=since, by=by, run=run, progress=progress, **kwargs
        )
        report = importer.run_all()
    finally:
        source.close()
    return report, mapping


def import_run_progress(run: ImportRun, done: int) -> None:
    ImportRun.objects.filter(pk=run.pk).update(done=done)


@transaction.atomic
def import_run_finish(*, run: ImportRun, report: Report | None, error: str = "") -> ImportRun:
    run.status = ImportRun.Status.FAILED if error else ImportRun.Status.DONE
    run.report = report.as_dict() if report else {}
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "report", "error", "finished_at"])
    return run

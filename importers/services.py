"""Running an import: the source opened, the mapping built (defaults + the file), the engine run.

Two entry points share this module: ``manage.py import_tickets`` calls ``import_execute`` directly;
the supervisor page starts an ``ImportRun`` with ``import_run_start`` (input checked here, the
upload kept under MEDIA_ROOT, the task enqueued on commit) and the Celery task runs it with
``import_run_perform`` (claimed once, progress after every batch, the report or the error kept).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.services import audit_record

from .engine import Importer, Report
from .mapping import Mapping, MappingError
from .models import ImportRun
from .selectors import any_imported_tickets_forget
from .sources.base import Source, SourceError, source_open

logger = logging.getLogger(__name__)


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
        any_imported_tickets_forget()
    return report, mapping


def import_run_progress(run: ImportRun, done: int) -> None:
    ImportRun.objects.filter(pk=run.pk).update(done=done)


@transaction.atomic
def import_run_finish(*, run: ImportRun, report: Report | None, error: str = "") -> ImportRun:
    """The run ends: DONE with its report, or FAILED with its error. The secret goes now."""
    run.status = ImportRun.Status.FAILED if error else ImportRun.Status.DONE
    run.report = report.as_dict() if report else {}
    run.error = error
    run.secret = ""
    run.finished_at = timezone.now()
    fields = ["status", "report", "error", "secret", "finished_at", "heartbeat_at"]
    if not error:
        fields += ["done", "total", "mapping"]
    run.heartbeat_at = run.finished_at
    run.save(update_fields=fields)
    return run


# --- the supervisor page: import runs as Celery tasks ------------------------------------------------


@dataclass(frozen=True)
class SourceKind:
    """One choice of the page's source field: which source reads what kind of input."""

    value: str
    source_name: str
    takes: str  # "file" (an upload), "api" (URL + token) or "database" (a database URL)
    label: Any
    schemes: tuple[str, ...] = ()


SOURCE_KINDS: dict[str, SourceKind] = {
    k.value: k
    for k in (
        SourceKind("django-helpdesk", "django-helpdesk", "file", _("django-helpdesk: dumpdata JSON file")),
        SourceKind(
            "django-helpdesk-db",
            "django-helpdesk",
            "database",
            _("django-helpdesk: its database"),
            ("postgres", "postgresql", "pgsql"),
        ),
        SourceKind("zammad", "zammad", "api", _("Zammad: REST API")),
        SourceKind("zendesk", "zendesk", "api", _("Zendesk: incremental export API")),
        SourceKind(
            "osticket", "osticket", "database", _("osTicket: its MySQL database"), ("mysql", "mariadb")
        ),
        SourceKind("csv", "csv", "file", _("CSV file of tickets")),
    )
}
DB_EXAMPLES = {
    "django-helpdesk-db": "postgres://USER:PASSWORD@HOST:5432/DBNAME",
    "osticket": "mysql://USER:PASSWORD@HOST:3306/DBNAME",
}

UPLOAD_DIR = "imports"  # under MEDIA_ROOT, which is never served (settings: MEDIA_URL)
MAX_UPLOAD_BYTES = getattr(settings, "HELPDESK_IMPORT_MAX_UPLOAD_BYTES", 4 * 1024**3)
# A running import moves its heartbeat after every batch (100 tickets: seconds). One silent for this long
# was left by a worker that died; a redelivered task may take it over and continue where it stopped.
STALE_AFTER = timedelta(minutes=15)
PASSWORD_MASK = "***"

UNKNOWN_SOURCE = _("Choose one of the sources in the list.")
FILE_NEEDED = _("This source reads an uploaded file: choose the file.")
FILE_NOT_WANTED = _("This source is read from its address: leave the file out.")
URL_NOT_WANTED = _("This source reads an uploaded file, not an address: leave the address out.")
URL_NEEDED = _("Give the address of the source.")
HTTP_NEEDED = _("Give the address of the instance, starting with https:// (or http://).")
DB_URL_NEEDED = _("Give a database URL like %(example)s.")
TOKEN_NEEDED = _("Give the API token.")
EMPTY_FILE = _("The file is empty.")
FILE_TOO_BIG = _("The file is larger than %(size)s.")
NOT_DUMPDATA = _("This is not a dumpdata JSON file (it must be a JSON list, starting with “[”).")
NOT_TEXT = _("This is not a text (CSV) file.")
BAD_MAPPING = _("The mapping is not valid: %(error)s")
FUTURE_SINCE = _("The date lies in the future.")
NOT_FINISHED = _("This import is still running.")


def source_kind_of(run: ImportRun) -> SourceKind | None:
    """The page's source choice a run was started with."""
    return SOURCE_KINDS.get(run.options.get("kind", "")) if run.options else None


def _split_password(url: str) -> tuple[str, str]:
    """(the URL to show and keep, the secret to keep only while running: the URL with its password)."""
    parts = urlsplit(url)
    if not parts.password:
        return url, ""
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    shown = urlunsplit((parts.scheme, f"{user}:{PASSWORD_MASK}@{host}", parts.path, parts.query, ""))
    return shown, url


def _check_file(kind: SourceKind, upload: UploadedFile) -> str | None:
    """The error of an upload that cannot be this kind's file, read from its first bytes only."""
    if not upload.size:
        return str(EMPTY_FILE)
    if upload.size > MAX_UPLOAD_BYTES:
        return str(FILE_TOO_BIG) % {"size": f"{MAX_UPLOAD_BYTES // 1024**2:,} MB"}
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if kind.value == "django-helpdesk":
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
            return str(NOT_DUMPDATA)
    elif b"\x00" in head:
        return str(NOT_TEXT)
    return None


def import_input_check(
    *,
    kind: str,
    upload: UploadedFile | None = None,
    url: str = "",
    token: str = "",
    mapping_text: str = "",
    since: date | None = None,
) -> SourceKind:
    """The source choice, after checking that the input fits it; raises ``ValidationError`` with the
    errors per field (``source``, ``file``, ``url``, ``token``, ``mapping``, ``since``)."""
    errors: dict[str, list[str]] = {}
    source_kind = SOURCE_KINDS.get(kind)
    if source_kind is None:
        raise ValidationError({"source": [str(UNKNOWN_SOURCE)]})
    url = (url or "").strip()
    if source_kind.takes == "file":
        if upload is None:
            errors["file"] = [str(FILE_NEEDED)]
        elif problem := _check_file(source_kind, upload):
            errors["file"] = [problem]
        if url:
            errors["url"] = [str(URL_NOT_WANTED)]
    else:
        if upload is not None:
            errors["file"] = [str(FILE_NOT_WANTED)]
        parts = urlsplit(url)
        if not url:
            errors["url"] = [str(URL_NEEDED)]
        elif source_kind.takes == "api" and (parts.scheme not in ("http", "https") or not parts.hostname):
            errors["url"] = [str(HTTP_NEEDED)]
        elif source_kind.takes == "database" and (
            parts.scheme not in source_kind.schemes or not parts.hostname
        ):
            # Only servers: a file path (sqlite:///…) would let the page read files on our machine.
            errors["url"] = [str(DB_URL_NEEDED) % {"example": DB_EXAMPLES[source_kind.value]}]
        if source_kind.takes == "api" and not (token or "").strip():
            errors["token"] = [str(TOKEN_NEEDED)]
    if mapping_text.strip():
        try:
            Mapping.from_yaml(mapping_text)
        except MappingError as exc:
            errors["mapping"] = [str(BAD_MAPPING) % {"error": exc}]
    if since is not None and since > timezone.localdate():
        errors["since"] = [str(FUTURE_SINCE)]
    if errors:
        raise ValidationError(errors)
    return source_kind


def _store_upload(run_id: str, upload: UploadedFile) -> tuple[str, str]:
    """(the path under MEDIA_ROOT, the file's name): the upload copied to ``imports/<run id>/``."""
    name = get_valid_filename(Path(upload.name or "upload").name)[:200] or "upload"
    relative = f"{UPLOAD_DIR}/{run_id}/{name}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    target.chmod(0o600)
    return relative, upload.name or name


def _since_datetime(since: date | None) -> datetime | None:
    if since is None:
        return None
    return timezone.make_aware(datetime.combine(since, time.min))


def import_run_start(
    *,
    by: Any,
    kind: str,
    upload: UploadedFile | None = None,
    url: str = "",
    token: str = "",
    email: str = "",
    mapping_text: str = "",
    dry_run: bool = False,
    since: date | None = None,
) -> ImportRun:
    """Checks the input, keeps the upload and creates the run; its task is enqueued after commit."""
    source_kind = import_input_check(
        kind=kind, upload=upload, url=url, token=token, mapping_text=mapping_text, since=since
    )
    run = ImportRun(
        source_name=source_kind.source_name,
        options={"kind": source_kind.value, **({"email": email.strip()} if email.strip() else {})},
        mapping_text=mapping_text.strip(),
        dry_run=dry_run,
        since=_since_datetime(since),
        created_by=by,
    )
    if source_kind.takes == "file":
        assert upload is not None  # noqa: S101 - import_input_check made sure
        run.location, run.file_name = _store_upload(str(run.id), upload)
    elif source_kind.takes == "api":
        run.location, run.secret = url.strip(), token.strip()
    else:
        run.location, run.secret = _split_password(url.strip())
    try:
        with transaction.atomic():
            _save_and_enqueue(run)
    except Exception:
        if run.file_name:
            shutil.rmtree(Path(settings.MEDIA_ROOT) / UPLOAD_DIR / str(run.id), ignore_errors=True)
        raise
    return run


def import_run_again(*, run: ImportRun, by: Any, secret: str = "") -> ImportRun:
    """A new run with the settings of a finished one (the same upload): safe, the engine skips what is
    already here and updates what changed. The token (or the database password) is asked for again,
    as it was forgotten when the first run ended."""
    if not run.finished:
        raise ValidationError(str(NOT_FINISHED))
    source_kind = source_kind_of(run)
    again = ImportRun(
        source_name=run.source_name,
        location=run.location,
        file_name=run.file_name,
        options=run.options,
        mapping_text=run.mapping_text,
        dry_run=run.dry_run,
        since=run.since,
        created_by=by,
    )
    if source_kind is not None and source_kind.takes == "api":
        if not secret.strip():
            raise ValidationError({"token": [str(TOKEN_NEEDED)]})
        again.secret = secret.strip()
    elif source_kind is not None and source_kind.takes == "database" and PASSWORD_MASK in run.location:
        shown, full = _split_password(secret.strip())
        if not full or shown != run.location:
            raise ValidationError({"url": [str(DB_URL_NEEDED) % {"example": DB_EXAMPLES[source_kind.value]}]})
        again.secret = full
    with transaction.atomic():
        _save_and_enqueue(again)
    return again


def needs_secret_again(run: ImportRun) -> str:
    """ "token" / "url" when running ``run`` again needs the token / the database URL once more."""
    source_kind = source_kind_of(run)
    if source_kind is None:
        return ""
    if source_kind.takes == "api":
        return "token"
    if source_kind.takes == "database" and PASSWORD_MASK in run.location:
        return "url"
    return ""


def _save_and_enqueue(run: ImportRun) -> None:
    """Saves a new run, records in the audit log who started it from where (never the token or the
    database password: the location shown is masked), and enqueues its task after commit."""
    run.save(force_insert=True)
    audit_record(
        action=AuditEntry.Action.CREATED,
        model="importers.importrun",
        object_id=str(run.pk),
        object_repr=run.source_name,
        after={
            "source": run.source_name,
            "location": run.location,
            "file": run.file_name,
            "dry_run": run.dry_run,
            "since": run.since.isoformat() if run.since else None,
        },
        actor=run.created_by,
    )
    _enqueue(run)


def _enqueue(run: ImportRun) -> None:
    from .tasks import import_run_task

    run_id = str(run.pk)
    transaction.on_commit(lambda: import_run_task.delay(run_id))


def _claim(run_id: Any) -> ImportRun | None:
    """The run, now RUNNING and ours; None when it is finished or another worker is on it (a redelivered
    or doubled task does nothing)."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.finished:
            return None
        now = timezone.now()
        if (
            run.status == ImportRun.Status.RUNNING
            and run.heartbeat_at
            and now - run.heartbeat_at < STALE_AFTER
        ):
            return None
        run.status = ImportRun.Status.RUNNING
        run.started_at = run.started_at or now
        run.heartbeat_at = now
        run.save(update_fields=["status", "started_at", "heartbeat_at"])
    return run


def _location(run: ImportRun) -> str:
    source_kind = source_kind_of(run)
    if run.file_name or (source_kind is not None and source_kind.takes == "file"):
        return str(Path(settings.MEDIA_ROOT) / run.location)
    if source_kind is not None and source_kind.takes == "database" and run.secret:
        return run.secret
    return run.location


def _scrub(text: str, run: ImportRun) -> str:
    """An error message without the run's secret, whatever the source put into it."""
    if run.secret:
        text = text.replace(run.secret, PASSWORD_MASK)
        password = urlsplit(run.secret).password if "://" in run.secret else None
        if password:
            text = text.replace(password, PASSWORD_MASK)
    return text[:2000]


def import_run_perform(*, run_id: Any, batch_size: int | None = None) -> ImportRun | None:
    """Runs a started import (the task's body). Idempotent: a finished run, or one another worker is
    running, is left alone; one abandoned by a dead worker is continued (the engine skips what is
    already imported). Ends DONE with the report, or FAILED with the error for the supervisor."""
    run = _claim(run_id)
    if run is None:
        return None
    source_kind = source_kind_of(run)
    options: dict[str, Any] = {k: v for k, v in run.options.items() if k != "kind"}
    if source_kind is not None and source_kind.takes == "api":
        options["token"] = run.secret
    report: Report | None = None
    try:
        source, mapping = source_and_mapping(
            source_name=run.source_name,
            location=_location(run),
            options=options,
            mapping_text=run.mapping_text,
        )
        try:
            total = source.count_tickets(run.since) if hasattr(source, "count_tickets") else None
            ImportRun.objects.filter(pk=run.pk).update(total=total, done=0)

            def progress(done: int) -> None:
                ImportRun.objects.filter(pk=run.pk).update(done=done, heartbeat_at=timezone.now())

            importer = Importer(
                source,
                mapping,
                dry_run=run.dry_run,
                since=run.since,
                by=run.created_by,
                run=run,
                progress=progress,
                **({"batch_size": batch_size} if batch_size else {}),
            )
            report = importer.run_all()
            done = importer.tickets_done
        finally:
            source.close()
            any_imported_tickets_forget()
    except (SourceError, MappingError) as exc:
        return import_run_finish(run=run, report=None, error=_scrub(str(exc), run))
    except Exception as exc:  # noqa: BLE001 - whatever went wrong is the supervisor's to read
        logger.exception("import run %s failed", run.pk)
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return import_run_finish(run=run, report=None, error=_scrub(message, run))
    run.mapping = mapping.as_dict()
    run.done = done
    run.total = max(done, total or 0) if total is not None else done
    return import_run_finish(run=run, report=report)

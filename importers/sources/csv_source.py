"""``--from csv``: a tickets CSV with a column mapping, plus optional users and organisations CSVs.

The tickets file's columns are named by the ``columns`` section of the mapping file (our field →
the CSV's header); without it the headers are expected as our field names::

    columns:
      source_id: "Ticket ID"
      number: "Ticket ID"
      subject: Subject
      description: Body
      requester_email: "Requester"
      requester_name: "Requester name"
      state: Status
      priority: Priority
      queue: Group
      category: Category
      assignee_email: Assignee
      tags: Tags            # separated by "," or ";"
      created_at: Created
      updated_at: Updated
      resolved_at: Solved
      closed_at: Closed

Every other column is a custom field (tagged or ignored per ``custom_fields``). Users are keyed by
their email address, so the users file (``email, name, role, organisation`` or ``company``,
``language``) and the tickets' requester columns name the same people; the organisations file
(``id, name``) resolves an ``organisation`` column holding an id. Files are read as UTF-8 (a BOM is
fine); bytes that are not UTF-8 make their row a skipped ``bad_encoding`` row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from importers.records import Problem, TicketRecord, UserRecord

from .base import BaseSource, SourceError, register

FIELDS = [
    "source_id",
    "number",
    "subject",
    "description",
    "requester_email",
    "requester_name",
    "requester_id",
    "state",
    "priority",
    "queue",
    "category",
    "assignee_email",
    "tags",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "channel",
    "language",
    "resolution",
]
# Where a header is not our field's name by default.
DEFAULT_COLUMNS = {"source_id": "id"}
DATE_FORMATS = [
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%Y/%m/%d %H:%M",
]


def parse_date(text: str) -> datetime | None:
    """A date as CSV exports write them; raises ValueError for text that is none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in DATE_FORMATS:
            try:
                value = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
        else:
            raise ValueError(text) from None
    # A time without a zone is the site's local time (how spreadsheets export).
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _undecodable(values: Any) -> bool:
    for v in values:
        if v is None:
            continue
        try:
            str(v).encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False


def _rows(path: str) -> Iterator[dict[str, str]]:
    p = Path(path)
    if not p.is_file():
        raise SourceError(f"No such file: {path}")
    with p.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        yield from csv.DictReader(fh, dialect=dialect)


@register("csv")
class CsvSource(BaseSource):
    def __init__(
        self,
        location: str,
        *,
        columns: dict[str, str] | None = None,
        users: str | None = None,
        organisations: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(location, **options)
        self.columns = {f: (columns or {}).get(f, DEFAULT_COLUMNS.get(f, f)) for f in FIELDS}
        self.users_path, self.organisations_path = users, organisations
        self.key = f"csv:{Path(location).resolve().name}"
        if not Path(location).is_file():
            raise SourceError(f"No such file: {location}")
        self._user_ids: dict[str, str] = {}

    def _get(self, row: dict[str, str], name: str) -> str:
        return (row.get(self.columns[name]) or "").strip()

    def _organisations(self) -> dict[str, str]:
        if not self.organisations_path:
            return {}
        return {
            (r.get("id") or "").strip(): (r.get("name") or "").strip() for r in _rows(self.organisations_path)
        }

    def users(self) -> Iterator[UserRecord]:
        orgs = self._organisations()
        seen: set[str] = set()
        if self.users_path:
            for row in _rows(self.users_path):
                email = (row.get("email") or "").strip().lower()
                company = (row.get("company") or row.get("organisation") or "").strip()
                company = orgs.get(company, company)
                rec = UserRecord(
                    source_id=email or (row.get("id") or "").strip(),
                    email=email,
                    name=(row.get("name") or "").strip(),
                    role=(row.get("role") or "customer").strip().lower() or "customer",
                    company=company,
                    language=(row.get("language") or "").strip().lower(),
                )
                if row.get("id"):
                    self._user_ids[row["id"].strip()] = rec.source_id
                if _undecodable(row.values()):
                    rec.problems.append(Problem("bad_encoding"))
                seen.add(rec.source_id)
                yield rec
        # People the tickets name who are not in the users file.
        for row in _rows(self.location):
            for email_col, name_col, role in (
                ("requester_email", "requester_name", "customer"),
                ("assignee_email", None, "agent"),
            ):
                email = self._get(row, email_col).lower()
                if email and email not in seen:
                    seen.add(email)
                    name = self._get(row, name_col) if name_col else ""
                    rec = UserRecord(source_id=email, email=email, name=name, role=role)
                    if _undecodable([email, name]):
                        rec.problems.append(Problem("bad_encoding"))
                    yield rec

    def count_tickets(self, since: datetime | None = None) -> int | None:
        return sum(1 for _row in _rows(self.location))  # one streamed pass; ``since`` filters nothing here

    def tickets(self, since: datetime | None = None) -> Iterator[TicketRecord]:
        used = set(self.columns.values())
        for line, row in enumerate(_rows(self.location), start=2):
            sid = self._get(row, "source_id") or self._get(row, "number") or f"line-{line}"
            problems: list[Problem] = []
            dates: dict[str, datetime | None] = {}
            for name in ("created_at", "updated_at", "resolved_at", "closed_at"):
                try:
                    dates[name] = parse_date(self._get(row, name))
                except ValueError as exc:
                    dates[name] = None
                    problems.append(Problem("bad_date", f"{self.columns[name]}: {exc}"))
            if _undecodable(row.values()):
                problems.append(Problem("bad_encoding"))
            requester = self._get(row, "requester_email").lower() or self._user_ids.get(
                self._get(row, "requester_id")
            )
            changed = dates["updated_at"] or dates["created_at"]
            if since and changed and not problems and changed < since:
                continue
            yield TicketRecord(
                source_id=sid,
                number=self._get(row, "number") or sid,
                subject=self._get(row, "subject"),
                description=self._get(row, "description"),
                requester_source_id=requester or None,
                state=self._get(row, "state"),
                priority=self._get(row, "priority"),
                queue=self._get(row, "queue"),
                category=self._get(row, "category"),
                assignee_source_id=self._get(row, "assignee_email").lower() or None,
                tags=[t.strip() for t in re.split(r"[,;]", self._get(row, "tags")) if t.strip()],
                custom_fields={k: v for k, v in row.items() if k and k not in used and (v or "").strip()},
                channel=self._get(row, "channel").lower(),
                language=self._get(row, "language").lower(),
                resolution=self._get(row, "resolution"),
                messages=[],
                problems=problems,
                **dates,
            )

    def describe_values(self) -> dict[str, list[str]]:
        values: dict[str, set[str]] = {k: set() for k in ("states", "priorities", "queues", "categories")}
        custom: set[str] = set()
        used = set(self.columns.values())
        for row in _rows(self.location):
            for key, col in (
                ("states", "state"),
                ("priorities", "priority"),
                ("queues", "queue"),
                ("categories", "category"),
            ):
                value = self._get(row, col)
                if value and not _undecodable([value]):
                    values[key].add(value)
            custom |= {k for k in row if k and k not in used}
        return {**{k: sorted(v) for k, v in values.items()}, "custom_fields": sorted(custom)}

"""``manage.py import_tickets --from NAME SOURCE [--dry-run] [--since DATE] [--map FILE]``."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import User
from importers.mapping import MappingError
from importers.services import import_execute
from importers.sources.base import SOURCE_MODULES, SourceError


def _since(text: str) -> datetime:
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"--since: not a date: {text!r} (use YYYY-MM-DD or an ISO date and time)")
        value = datetime.combine(day, time.min)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Command(BaseCommand):
    help = "Imports tickets, users, teams and knowledge-base articles from another helpdesk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source_name", required=True, choices=sorted(SOURCE_MODULES))
        parser.add_argument("source", help="a file, a DATABASE_URL or a URL, depending on --from")
        parser.add_argument("--dry-run", action="store_true", help="write nothing; print the default mapping")
        parser.add_argument("--since", help="only tickets changed since this date (YYYY-MM-DD)")
        parser.add_argument("--map", dest="map_file", help="the mapping file (YAML)")
        parser.add_argument("--as", dest="as_user", help="the agent who imports (the KB articles' author)")
        parser.add_argument("--users", help="csv: the users file")
        parser.add_argument("--organisations", help="csv: the organisations file")
        parser.add_argument("--media", help="django-helpdesk: its MEDIA_ROOT (for attachments)")
        parser.add_argument("--token", help="an API token for sources read over HTTP")
        parser.add_argument(
            "--option", action="append", default=[], metavar="KEY=VALUE", help="any other source option"
        )

    def handle(self, *args: object, **o: Any) -> None:
        options: dict[str, Any] = {}
        for key in ("users", "organisations", "media", "token"):
            if o.get(key):
                options[key] = o[key]
        for item in o["option"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--option {item!r}: use KEY=VALUE")
            options[key.strip()] = value
        mapping_text = Path(o["map_file"]).read_text(encoding="utf-8") if o.get("map_file") else ""
        by = None
        if o.get("as_user"):
            by = User.objects.filter(username=o["as_user"]).first()
            if by is None or not by.is_agent:
                raise CommandError(f"--as {o['as_user']!r}: no such agent")
        else:
            by = User.objects.filter(is_superuser=True).order_by("pk").first() or (
                User.objects.filter(role=User.Role.SUPERVISOR).order_by("pk").first()
            )
        try:
            report, mapping = import_execute(
                source_name=o["source_name"],
                location=o["source"],
                options=options,
                mapping_text=mapping_text,
                dry_run=o["dry_run"],
                since=_since(o["since"]) if o.get("since") else None,
                by=by,
                progress=lambda n: self.stderr.write(f"\r{n} tickets", ending="") if n % 1000 == 0 else None,
            )
        except (SourceError, MappingError) as exc:
            raise CommandError(str(exc)) from None
        if o["dry_run"]:
            self.stdout.write("# The mapping (defaults from the source's values, then your file):")
            self.stdout.write(mapping.to_yaml())
        self.stdout.write(report.text())

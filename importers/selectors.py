"""What the import pages show: runs, and a run's report in words (labels, not the engine's codes)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import ImportedRecord, ImportRun

OUTCOMES = {
    "imported": _("imported"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "linked": _("linked to an existing account"),
    "skipped": _("skipped"),
}
REASONS = {
    "bad_date": _("bad date"),
    "bad_email": _("bad email address"),
    "bad_encoding": _("text not in a readable encoding"),
    "bad_name": _("bad name"),
    "duplicate_source_id": _("the same id twice"),
    "empty_message": _("empty message"),
    "error": _("error while writing"),
    "missing_email": _("no email address or name"),
    "missing_title": _("no title"),
    "no_author": _("no author"),
    "missing_requester": _("no requester"),
    "unknown_state": _("state not in the mapping"),
    "deleted_in_source": _("deleted in the source"),
    "attachment_missing": _("attachment file missing"),
    "oversized_attachment": _("attachment too large"),
}
WARNINGS = {
    "message_truncated": _("messages cut to the longest allowed length"),
    "message_author_unknown": _("messages whose author is unknown (the requester is named instead)"),
}
UNMAPPED = {
    "states": _("States"),
    "priorities": _("Priorities"),
    "queues": _("Queues, groups, departments"),
    "categories": _("Categories"),
    "custom_fields": _("Custom fields"),
    "roles": _("Roles"),
}
KINDS = dict(ImportedRecord.Kind.choices)


def import_run_list() -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("created_by").defer("report", "mapping", "mapping_text", "secret")


def person_label(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email or str(_("(no name)"))


def report_view(run: ImportRun) -> dict[str, Any]:
    """The report's parts as rows of labels and numbers (``ImportRun.report``, see ``engine.Report``)."""
    report = run.report or {}
    counts = report.get("counts", {})
    reasons = report.get("reasons", {})
    kinds = []
    for kind, label in KINDS.items():
        c = counts.get(kind)
        if not c:
            continue
        kinds.append(
            {
                "label": label,
                "outcomes": [(label, c[o]) for o, label in OUTCOMES.items() if c.get(o)],
                "reasons": sorted(
                    ((REASONS.get(r, r), n) for r, n in reasons.get(kind, {}).items()), key=lambda x: -x[1]
                ),
            }
        )
    unmapped = [
        {"label": UNMAPPED.get(what, what), "values": sorted(values.items(), key=lambda x: -x[1])[:30]}
        for what, values in sorted(report.get("unmapped", {}).items())
        if values
    ]
    skipped = [
        {
            "kind": KINDS.get(s["kind"], s["kind"]),
            "source_id": s["source_id"],
            "reason": REASONS.get(s["reason"], s["reason"]),
            "detail": s.get("detail", ""),
        }
        for s in report.get("skipped", [])[:50]
    ]
    return {
        "kinds": kinds,
        "unmapped": unmapped,
        "skipped": skipped,
        "skipped_more": max(0, len(report.get("skipped", [])) - len(skipped)),
        "warnings": [(WARNINGS.get(w, w), n) for w, n in report.get("warnings", {}).items()],
        "sample": report.get("sample", []),
        "days_rebuilt": report.get("days_rebuilt", 0),
    }


# Whether any ticket was imported at all, cached so that the ticket page of a helpdesk that never
# imported pays no query for the panel (set by the import services when a run wrote tickets).
ANY_IMPORTED_KEY = "importers:any-imported-ticket"
ANY_IMPORTED_SECONDS = 300


def any_imported_tickets() -> bool:
    known = cache.get(ANY_IMPORTED_KEY)
    if known is None:
        known = ImportedRecord.objects.filter(kind=ImportedRecord.Kind.TICKET).exists()
        cache.set(ANY_IMPORTED_KEY, known, ANY_IMPORTED_SECONDS)
    return bool(known)


def any_imported_tickets_forget() -> None:
    cache.delete(ANY_IMPORTED_KEY)


def original_number(ticket_pk: int) -> ImportedRecord | None:
    """Where an imported ticket came from (its original number), for the ticket page's panel."""
    if not any_imported_tickets():
        return None
    return (
        ImportedRecord.objects.filter(kind=ImportedRecord.Kind.TICKET, object_id=ticket_pk)
        .only("source_key", "number", "imported_at")
        .order_by("-imported_at")
        .first()
    )

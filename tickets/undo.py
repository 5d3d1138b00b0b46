"""Deleting configuration in the browser: a confirmation page first, then a short window to undo.

Every configuration delete button (SLA policies, calendars, …) links to a GET page that says what
goes and asks; its POST calls the app's delete service through :func:`confirm_delete`, which first
keeps a copy of the row and of everything the delete takes with it (cascaded rows, foreign keys set
to NULL) in the person's session. The success message carries an "Undo" button that POSTs to
:func:`undo`, which puts every row back with its old primary key and relinks the NULLed keys, for
``UNDO_WINDOW`` after the delete.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import serializers
from django.db import IntegrityError, router, transaction
from django.db.models import Model, QuerySet
from django.db.models.deletion import Collector
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.errors import ApplicationError

UNDO_WINDOW = timedelta(minutes=10)
SESSION_KEY = "undo_deletes"
UNDO_TAG = "undo:"


def _snapshot(obj: Model) -> dict[str, Any]:
    """The rows a delete of ``obj`` removes (parents first) and the foreign keys it sets to NULL."""
    collector = Collector(using=router.db_for_write(type(obj), instance=obj), origin=obj)
    collector.collect([obj])
    collector.sort()  # deletion order: rows that point at others come first
    rows: list[Model] = [o for instances in reversed(collector.data.values()) for o in instances]
    for qs in collector.fast_deletes:
        rows.extend(qs)
    relinks = []
    for (field, _value), batches in collector.field_updates.items():
        for batch in batches:
            if isinstance(batch, QuerySet):
                pairs = list(batch.values_list("pk", field.attname))
            else:
                pairs = [(o.pk, getattr(o, field.attname)) for o in batch]
            relinks.append({"model": field.model._meta.label_lower, "field": field.attname, "pairs": pairs})
    return {"rows": serializers.serialize("json", rows), "relinks": relinks}


def _restore(snapshot: dict[str, Any]) -> None:
    with transaction.atomic():
        for row in serializers.deserialize("json", snapshot["rows"]):
            # Many-to-many links come back as the rows of their through tables, which the snapshot
            # holds too; saving them with the object as well would insert each link twice.
            row.save(save_m2m=False)
        for relink in snapshot["relinks"]:
            model = apps.get_model(relink["model"])
            for pk, value in relink["pairs"]:
                model._base_manager.filter(pk=pk).update(**{relink["field"]: value})


def _safe_next(request: HttpRequest, url: str) -> str:
    ok = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if ok else "/"


def confirm_delete(
    request: HttpRequest,
    obj: Model,
    *,
    delete: Callable[[], None],
    back: str,
    what: str,
    consequences: Sequence[tuple[int, str]] = (),
    blocked: str | None = None,
) -> HttpResponse:
    """GET: the confirmation page. POST: ``delete()`` (the app's service), then back to ``back``
    with "Deleted …" and an Undo button. ``consequences``: (count, "%(n)s … go with it") pairs, shown
    when the count is not 0. ``blocked`` (e.g. "still used by …") shows instead of the
    button and refuses the POST; an ApplicationError from the service does the same."""
    if request.method == "POST" and not blocked:
        try:
            with transaction.atomic():
                snapshot = _snapshot(obj)
                delete()
        except ApplicationError as exc:
            blocked = exc.message
        else:
            token = secrets.token_urlsafe(12)
            now = timezone.now()
            kept = {
                k: v
                for k, v in request.session.get(SESSION_KEY, {}).items()
                if now - parse_datetime(v["at"]) < UNDO_WINDOW
            }
            kept[token] = {"at": now.isoformat(), "what": what, "back": back, **snapshot}
            request.session[SESSION_KEY] = kept
            messages.success(request, _("Deleted: %(what)s.") % {"what": what}, extra_tags=UNDO_TAG + token)
            return redirect(back)
    if request.method == "POST":
        messages.error(request, blocked)
        return redirect(back)
    return render(
        request,
        "tickets/confirm_delete.html",
        {
            "what": what,
            "consequences": [text % {"n": n} for n, text in consequences if n],
            "blocked": blocked,
            "back": back,
            "minutes": int(UNDO_WINDOW.total_seconds() // 60),
        },
    )


@login_required
@require_POST
def undo(request: HttpRequest, token: str) -> HttpResponse:
    """Puts back what the person deleted (their own session only) within UNDO_WINDOW."""
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    back = _safe_next(request, entry["back"] if entry else request.META.get("HTTP_REFERER", "/"))
    if entry is None or timezone.now() - parse_datetime(entry["at"]) >= UNDO_WINDOW:
        messages.error(request, _("This can no longer be undone."))
        return redirect(back)
    try:
        _restore(entry)
    except IntegrityError:
        messages.error(
            request,
            _(
                "Could not restore %(what)s: it clashes with what was created or changed since (e.g. the same name)."
            )
            % {"what": entry["what"]},
        )
    else:
        messages.success(request, _("Restored: %(what)s.") % {"what": entry["what"]})
    return redirect(back)


def undo_token(message: Any) -> str | None:
    """The undo token of a "Deleted …" message, else None (used by the base template)."""
    for tag in (getattr(message, "extra_tags", "") or "").split():
        if tag.startswith(UNDO_TAG):
            return tag[len(UNDO_TAG) :]
    return None

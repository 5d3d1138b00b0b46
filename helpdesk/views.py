from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    parts = {"database": _database_ok(), "broker": _broker_ok()}
    ok = all(parts.values())
    body = {"status": "ok" if ok else "error", **{k: "ok" if v else "down" for k, v in parts.items()}}
    return JsonResponse(body, status=200 if ok else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """``/favicon.ico`` for what asks there without reading the page (the admin, feed readers, bookmarks)."""
    return HttpResponseRedirect(static("favicon.ico"))

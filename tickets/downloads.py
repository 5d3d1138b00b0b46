"""Attachment downloads: a plain Django view, so browser sessions and API tokens both work.

Served only to those who may see the ticket (and, for internal files, only to agents); always as a
download, never rendered by the browser from our origin.
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from apitokens.authentication import ApiTokenAuthentication

from .selectors import attachment_visible_qs, ticket_get_for_user

# Types a browser might execute or render as a document: always served as opaque bytes.
_ACTIVE_TYPE_MARKERS = ("html", "svg", "xml", "javascript", "ecmascript", "x-shockwave")
_ACTIVE_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".js", ".mjs"}


def safe_content_type(content_type: str, filename: str) -> str:
    content_type = (content_type or "").lower().strip()
    if (
        not content_type
        or "/" not in content_type
        or any(marker in content_type for marker in _ACTIVE_TYPE_MARKERS)
        or PurePath(filename.lower()).suffix in _ACTIVE_SUFFIXES
    ):
        return "application/octet-stream"
    return content_type.split(";", 1)[0]


@require_GET
def attachment_download(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        if not get_authorization_header(request):
            return redirect_to_login(request.get_full_path())
        try:
            result = ApiTokenAuthentication().authenticate(request)
        except AuthenticationFailed as exc:
            return JsonResponse({"detail": str(exc.detail)}, status=401)
        except PermissionDenied as exc:
            return JsonResponse({"detail": str(exc.detail)}, status=403)
        if result is None:
            return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
        user = result[0]
    ticket = ticket_get_for_user(user=user, pk=ticket_id)
    attachment = attachment_visible_qs(user=user, ticket=ticket).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename)
    response["Content-Type"] = safe_content_type(attachment.content_type, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

"""Who is acting: the request's user (middleware) or whoever a service call names (``acting_as``).

The middleware keeps the *request*, not its user: DRF authenticates tokens inside the view, after
the middleware ran, and then sets ``request.user`` on the Django request, so the actor is read
when an entry is written. Celery tasks and commands name theirs with ``acting_as`` (or none: the
system).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)
_UNSET = object()


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Entries written inside name ``user`` (None: the system) as their actor."""
    token = _actor.set(user if user is not None else _UNSET)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Any:
    """The user to record, or None (the system, an anonymous request)."""
    actor = _actor.get()
    if actor is _UNSET:
        return None
    if actor is not None:
        return actor
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


class AuditActorMiddleware:
    """Remembers the request for the entries written while it is handled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)

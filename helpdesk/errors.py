"""Errors the services raise; one exception handler maps them for the API and views."""

from __future__ import annotations


class ApplicationError(Exception):
    """Invalid request for the current state of things (400), optionally with field errors."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict[str, object]:
        if self.field:
            return {self.field: [self.message], **self.extra}
        return {"detail": self.message, **self.extra}


class ConflictError(ApplicationError):
    """The ticket's current state does not allow this (409)."""

    status_code = 409

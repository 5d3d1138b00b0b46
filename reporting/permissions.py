"""Who may see the metrics: supervisors (and admins, who are supervisors)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


def is_supervisor(user: Any) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "is_supervisor", False))


class IsSupervisor(BasePermission):
    message = "Only supervisors may read metrics."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_supervisor(request.user)

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission


class AgentReadSupervisorWrite(BasePermission):
    """Agents (and supervisors) read; only supervisors write; customers are refused (403)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return bool(user.is_agent)
        return bool(user.is_supervisor)

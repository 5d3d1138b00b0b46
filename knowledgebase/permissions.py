from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsAgent(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_agent)


class ReadAnyoneWriteAgent(BasePermission):
    """Anyone reads (the queryset decides what they see); agents and supervisors write."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_agent)


class ReadAgentWriteSupervisor(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_agent):
            return False
        return request.method in SAFE_METHODS or user.is_supervisor

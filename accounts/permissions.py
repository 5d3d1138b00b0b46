"""Role checks for the API. ``has_permission`` checks the role; rows are scoped by the selectors (404)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission


def _signed_in(request: Any) -> bool:
    return bool(request.user and request.user.is_authenticated)


class IsAgent(BasePermission):
    """Agents and supervisors (and admins)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return _signed_in(request) and request.user.is_agent


class IsSupervisor(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return _signed_in(request) and request.user.is_supervisor


class IsSupervisorOrAgentReadOnly(BasePermission):
    """Organisation data: supervisors write, agents read, customers nothing."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not _signed_in(request):
            return False
        if request.method in SAFE_METHODS:
            return request.user.is_agent
        return request.user.is_supervisor


class IsSupervisorOrReadOnly(BasePermission):
    """Supervisors write, anyone signed in reads (categories: the request form needs them)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not _signed_in(request):
            return False
        return request.method in SAFE_METHODS or request.user.is_supervisor

from __future__ import annotations

from rest_framework import generics, serializers

from accounts.permissions import IsSupervisor
from helpdesk.api import CursorPagination

from . import selectors
from .forms import AuditFilterForm
from .models import AuditEntry


class AuditEntryListApi(generics.ListAPIView):
    """The audit log, newest first (supervisors). Filters: ``action``, ``model``, ``actor`` (user
    id), ``date_from``, ``date_to`` (YYYY-MM-DD). Read only: there is no route that changes it."""

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = AuditEntry
            fields = [
                "id",
                "at",
                "actor",
                "action",
                "model",
                "object_id",
                "object_repr",
                "before",
                "after",
                "details",
            ]

    permission_classes = [IsSupervisor]
    serializer_class = OutputSerializer
    pagination_class = CursorPagination
    filter_backends: list = []

    def get_queryset(self):  # noqa: ANN201
        form = AuditFilterForm(data=self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        return selectors.audit_entry_list(**form.filters()).order_by("-id")

"""The metrics API: thin — parse the filters, authorize, one selector call."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .forms import MetricFilterForm
from .metrics import metrics_summary
from .permissions import IsSupervisor


class MetricsSummaryApi(APIView):
    """The metrics of PRODUCT.md for a period (inclusive days in the server's timezone),
    the backlog now, and the same numbers for the previous period of equal length.

    Each rate is ``{"rate", "numerator", "denominator"}`` (``rate`` is null when the
    denominator is 0); times are in minutes; a metric that cannot be computed in this
    installation is ``null``.
    """

    permission_classes = [IsAuthenticated, IsSupervisor]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day (default: 29 days before `to`)"
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive (default: today)"),
            OpenApiParameter(
                "days",
                OpenApiTypes.INT,
                enum=[7, 30, 90, 365],
                description="Preset: the last N days (without from/to)",
            ),
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("tier", OpenApiTypes.INT, enum=[1, 2, 3]),
            OpenApiParameter("category", OpenApiTypes.INT, description="Includes sub-categories"),
            OpenApiParameter("channel", OpenApiTypes.STR),
            OpenApiParameter("organisation", OpenApiTypes.INT, description="The requesters' organisation"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        form = MetricFilterForm(data=request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors_as_dict())
        return Response(metrics_summary(form.filters()))

"""The API of bulk actions, merge, split and links. Thin: validate, narrow to what the caller may see,
call one service (``tickets.bulk``, ``tickets.merge``, ``tickets.links``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import bulk, links, merge
from .apis import _require_agent
from .filters import TicketFilter
from .models import BulkJob, Ticket, TicketLink
from .selectors import message_visible_qs, ticket_get_for_user, ticket_visible_qs
from .serializers import TicketOutputSerializer

IDS_OR_FILTER = _("Send either ids or a filter.")
NO_SUCH_TICKET = _("No such ticket.")


class BulkInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[])
    params = serializers.DictField(required=False, default=dict)
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=bulk.BULK_MAX
    )
    filter = serializers.DictField(required=False, help_text="Query parameters as on GET /api/v1/tickets/.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a.name, str(a.label)) for a in bulk.bulk_actions.values()]

    def validate(self, attrs: dict) -> dict:
        if ("ids" in attrs) == ("filter" in attrs):
            raise serializers.ValidationError({"ids": [IDS_OR_FILTER]})
        return attrs


def bulk_selection(*, request: Request, data: dict) -> list[int]:
    """The ids the bulk action is to touch, among those the caller may see."""
    visible = ticket_visible_qs(user=request.user)
    if "ids" in data:
        return list(visible.filter(pk__in=data["ids"]).values_list("pk", flat=True))
    # As query parameters: a value or a list of values per name (status=new&status=open).
    params = QueryDict(mutable=True)
    for name, value in data["filter"].items():
        params.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    filterset = TicketFilter(data=params, queryset=visible, request=request)
    if not filterset.is_valid():
        raise serializers.ValidationError({"filter": filterset.errors})
    return bulk.selection_ids(qs=filterset.qs)


def _job_payload(request: Request, job: BulkJob) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("tickets_api:bulk-job", args=[job.pk]))
    return {**bulk.bulk_job_result(job), "url": url}


class TicketBulkApi(APIView):
    @extend_schema(
        request=BulkInputSerializer,
        description="Apply one action to many tickets: `ids`, or a `filter` as on GET /api/v1/tickets/. "
        f"Up to {bulk.BULK_INLINE_MAX} tickets: 200 with the summary; more: 202 with a job to poll.",
    )
    def post(self, request: Request) -> Response:
        _require_agent(request)
        data = BulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = bulk_selection(request=request, data=data.validated_data)
        action, params = data.validated_data["action"], data.validated_data["params"]
        try:
            outcome = bulk.bulk_submit(actor=request.user, action=action, params=params, ids=ids)
        except serializers.ValidationError as e:
            raise serializers.ValidationError({"params": e.detail}) from None
        if isinstance(outcome, BulkJob):
            return Response(_job_payload(request, outcome), status=status.HTTP_202_ACCEPTED)
        return Response({"status": "done", **outcome.as_dict()})


class TicketBulkJobApi(APIView):
    def get(self, request: Request, job_id: str) -> Response:
        _require_agent(request)
        job = bulk.bulk_job_for_user(user=request.user, job_id=job_id)
        return Response(_job_payload(request, job))


class MergeInputSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1)
    allow_other_customer = serializers.BooleanField(required=False, default=False)


class TicketMergeApi(APIView):
    @extend_schema(request=MergeInputSerializer, responses={200: TicketOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        source = ticket_get_for_user(user=request.user, pk=ticket_id)
        _require_agent(request)
        data = MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = _other_ticket(request, data.validated_data["target"])
        merged = merge.ticket_merge(
            source=source,
            target=target,
            by=request.user,
            allow_other_customer=data.validated_data["allow_other_customer"],
        )
        return Response(TicketOutputSerializer(merged, context={"request": request}).data)


def _other_ticket(request: Request, pk: int) -> Ticket:
    try:
        return ticket_get_for_user(user=request.user, pk=pk)
    except Http404:
        raise serializers.ValidationError({"target": [NO_SUCH_TICKET]}) from None


class SplitInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)


class TicketMessageSplitApi(APIView):
    @extend_schema(request=SplitInputSerializer, responses={201: TicketOutputSerializer})
    def post(self, request: Request, ticket_id: int, message_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        _require_agent(request)
        message = message_visible_qs(user=request.user, ticket=ticket).filter(pk=message_id).first()
        if message is None:
            raise Http404
        data = SplitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = merge.message_split(message=message, by=request.user, subject=data.validated_data["subject"])
        return Response(TicketOutputSerializer(new, context={"request": request}).data, status=201)


class LinkInputSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=TicketLink.Kind.choices)
    allow_other_customer = serializers.BooleanField(required=False, default=False)


class LinkOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="link.pk")
    kind = serializers.CharField(source="link.kind")
    label = serializers.CharField()
    outgoing = serializers.SerializerMethodField()
    ticket = serializers.IntegerField(source="other.pk")
    reference = serializers.CharField(source="other.reference")

    def get_outgoing(self, shown: links.ShownLink) -> bool:
        return shown.link.source_id != shown.other.pk


class TicketLinkListCreateApi(APIView):
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        _require_agent(request)
        shown = links.ticket_links(ticket=ticket, visible=ticket_visible_qs(user=request.user))
        return Response(LinkOutputSerializer(shown, many=True).data)

    @extend_schema(request=LinkInputSerializer)
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        _require_agent(request)
        data = LinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = _other_ticket(request, data.validated_data["target"])
        links.link_create(
            source=ticket,
            target=other,
            kind=data.validated_data["kind"],
            by=request.user,
            allow_other_customer=data.validated_data["allow_other_customer"],
        )
        shown = links.ticket_links(ticket=ticket, visible=ticket_visible_qs(user=request.user))
        return Response(LinkOutputSerializer(shown, many=True).data, status=201)


class TicketLinkDeleteApi(APIView):
    def delete(self, request: Request, ticket_id: int, link_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        _require_agent(request)
        link = TicketLink.objects.filter(links.link_filter_for(ticket), pk=link_id).first()
        if link is None:
            raise Http404
        links.link_delete(link=link, by=request.user)
        return Response(status=204)

"""REST API of the knowledge base (/api/v1/kb/). Thin: parse, authorize, one service or selector call."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from tickets.selectors import ticket_get_for_user

from .filters import ArticleFilter
from .models import Article, Checklist, Synonym
from .permissions import IsAgent, ReadAgentWriteSupervisor, ReadAnyoneWriteAgent
from .search import search
from .selectors import (
    article_published_qs,
    article_visible_qs,
    article_with_counts,
    canned_response_qs,
    checklist_for_ticket,
    checklist_ticked_ids,
    is_agent,
)
from .serializers import (
    ArticleInputSerializer,
    ArticleOutputSerializer,
    ArticleVersionOutputSerializer,
    CannedRenderInputSerializer,
    CannedResponseOutputSerializer,
    ChecklistOutputSerializer,
    FeedbackInputSerializer,
    SuggestInputSerializer,
    SuggestionOutputSerializer,
    SynonymSerializer,
)
from .services import (
    article_create,
    article_delete,
    article_feedback,
    article_update,
    canned_response_render,
)

SUGGEST_LIMIT = 5
SEARCH_MAX_RESULTS = 100


class ArticleViewSet(viewsets.ModelViewSet):
    """Articles. ``?q=`` returns the best matches by relevance (one page, ``score`` and ``snippet`` added)."""

    permission_classes = [ReadAnyoneWriteAgent]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ArticleFilter
    ordering_fields = ["id", "title", "created_at", "updated_at", "view_count", "helpful_count"]
    serializer_class = ArticleOutputSerializer

    def get_queryset(self) -> Any:
        qs = article_visible_qs(user=self.request.user).prefetch_related("tags", "categories")
        if is_agent(self.request.user):
            qs = article_with_counts(qs)
        return qs.defer("search_vector")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "is_agent": is_agent(self.request.user)}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        q = request.query_params.get("q", "").strip()
        if not q:
            return super().list(request, *args, **kwargs)
        qs = self.filter_queryset(self.get_queryset())
        try:
            size = min(int(request.query_params.get("page_size", 25)), SEARCH_MAX_RESULTS)
        except ValueError:
            size = 25
        hits = search(qs=qs, query=q, language=request.query_params.get("language"), limit=max(size, 1))
        by_id = {a.pk: a for a in qs.filter(pk__in=[h.article.pk for h in hits])}
        articles = []
        for hit in hits:
            article = by_id[hit.article.pk]
            article.search_score, article.search_snippet = hit.score, hit.snippet
            articles.append(article)
        data = self.get_serializer(articles, many=True).data
        return Response({"next": None, "previous": None, "results": data})

    def _save(self, request: Request, article: Article | None, partial: bool) -> Response:
        data = ArticleInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if article is None:
            article = article_create(by=request.user, **values)
            code = status.HTTP_201_CREATED
        else:
            article = article_update(article=article, by=request.user, **values)
            code = status.HTTP_200_OK
        article = self.get_queryset().get(pk=article.pk)
        return Response(self.get_serializer(article).data, status=code)

    @extend_schema(request=ArticleInputSerializer, responses=ArticleOutputSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, None, partial=False)

    @extend_schema(request=ArticleInputSerializer, responses=ArticleOutputSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, self.get_object(), partial=kwargs.get("partial", False))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        article = self.get_object()
        if not request.user.is_supervisor:
            raise PermissionDenied("Only supervisors can delete articles; archive it instead.")
        article_delete(article=article, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ArticleVersionOutputSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()  # 404 first: never reveal an article the caller may not see
        if not is_agent(request.user):
            raise PermissionDenied("Versions are for agents.")
        versions = article.versions.select_related("changed_by").order_by("-number")
        return Response(ArticleVersionOutputSerializer(versions, many=True).data)

    @extend_schema(request=FeedbackInputSerializer, responses={200: None})
    @action(detail=True, methods=["post"], permission_classes=[AllowAny], throttle_classes=[AnonRateThrottle])
    def feedback(self, request: Request, pk: str | None = None) -> Response:
        article = self.get_object()
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article = article_feedback(article=article, helpful=data.validated_data["helpful"])
        return Response(
            {"helpful_count": article.helpful_count, "not_helpful_count": article.not_helpful_count}
        )


class SuggestApi(APIView):
    """Up to five published articles for what someone is typing, best first."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(parameters=[SuggestInputSerializer], responses=SuggestionOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        data = SuggestInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        hits = search(
            qs=article_published_qs(user=request.user),
            query=data.validated_data["q"],
            language=data.validated_data.get("language"),
            limit=SUGGEST_LIMIT,
        )
        return Response(SuggestionOutputSerializer(hits, many=True).data)


class CannedResponseViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAgent]
    serializer_class = CannedResponseOutputSerializer
    filterset_fields = ["language"]
    ordering_fields = ["title", "id"]

    def get_queryset(self) -> Any:
        return canned_response_qs(user=self.request.user)

    @extend_schema(parameters=[CannedRenderInputSerializer], responses={200: None})
    @action(detail=True, methods=["get"])
    def render(self, request: Request, pk: str | None = None) -> Response:
        canned = self.get_object()
        data = CannedRenderInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        ticket = ticket_get_for_user(user=request.user, pk=data.validated_data["ticket"])
        body = canned_response_render(canned=canned, ticket=ticket, agent=request.user)
        return Response(
            {"body": body, "set_status": canned.set_status, "set_category": canned.set_category_id}
        )


class ChecklistViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAgent]
    serializer_class = ChecklistOutputSerializer
    filterset_fields = ["category", "language"]
    ordering_fields = ["title", "id"]

    def get_queryset(self) -> Any:
        return Checklist.objects.prefetch_related("items")


class TicketChecklistApi(APIView):
    """The checklist for a ticket's category, with the steps already ticked on the ticket."""

    permission_classes = [IsAgent]

    @extend_schema(responses=ChecklistOutputSerializer)
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        checklist = checklist_for_ticket(ticket=ticket)
        if checklist is None:
            return Response({"detail": "No checklist for this ticket's category."}, status=404)
        context = {"ticked_ids": checklist_ticked_ids(ticket=ticket)}
        return Response(ChecklistOutputSerializer(checklist, context=context).data)


class SynonymViewSet(viewsets.ModelViewSet):
    """The search synonym list: agents read, supervisors edit."""

    permission_classes = [ReadAgentWriteSupervisor]
    serializer_class = SynonymSerializer
    queryset = Synonym.objects.all()
    filterset_fields = ["language"]
    ordering_fields = ["term", "id"]

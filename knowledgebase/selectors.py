"""Reads. ``article_visible_qs`` is the one visibility rule for articles: every page, API,
search, suggestion and feed starts from it."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tickets.models import Category, Ticket

from .models import Article, CannedResponse, Checklist, ChecklistItem, ChecklistTick


def is_agent(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_agent)


def article_visible_qs(user: Any) -> QuerySet[Article]:
    """Anonymous callers and customers: published public articles. Agents: all (drafts, archived, internal)."""
    qs = Article.objects.all()
    if is_agent(user):
        return qs
    return qs.filter(status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC)


def article_published_qs(user: Any) -> QuerySet[Article]:
    """What help pages, suggestions and panels offer: published only (internal ones too, for agents)."""
    return article_visible_qs(user=user).filter(status=Article.Status.PUBLISHED)


def article_get_for_user(*, user: Any, pk: Any = None, slug: str | None = None) -> Article:
    """The article, or 404 exactly as for one that does not exist."""
    qs = article_visible_qs(user=user).select_related("translation_of", "created_by", "updated_by")
    try:
        if slug is not None:
            return qs.get(slug=slug)
        return qs.get(pk=int(pk))
    except (Article.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def article_with_counts(qs: QuerySet[Article]) -> QuerySet[Article]:
    return qs.annotate(solved_count=Count("ticket_links", distinct=True))


def article_translations(*, article: Article, user: Any) -> list[Article]:
    """The same article in other languages, both directions of ``translation_of``, that the user may see."""
    root_id = article.translation_of_id or article.pk
    qs = (
        article_visible_qs(user=user)
        .filter(Q(pk=root_id) | Q(translation_of_id=root_id))
        .exclude(pk=article.pk)
    )
    if not is_agent(user):
        qs = qs.filter(status=Article.Status.PUBLISHED)
    return list(qs.only("id", "slug", "title", "language").order_by("language"))


def article_related(*, article: Article, user: Any, limit: int = 5) -> list[Article]:
    """Published articles in the same language sharing a category or tag, most viewed first."""
    category_ids = list(article.categories.values_list("id", flat=True))
    tag_ids = list(article.tags.values_list("id", flat=True))
    if not category_ids and not tag_ids:
        return []
    qs = (
        article_published_qs(user=user)
        .filter(language=article.language)
        .filter(Q(categories__in=category_ids) | Q(tags__in=tag_ids))
        .exclude(pk=article.pk)
        .distinct()
        .order_by("-view_count", "-id")
    )
    return list(qs.only("id", "slug", "title", "visibility")[:limit])


def article_popular(*, user: Any, language: str | None = None, limit: int = 8) -> list[Article]:
    qs = article_published_qs(user=user)
    if language:
        qs = qs.filter(language=language)
    return list(
        qs.order_by("-view_count", "-helpful_count", "-id").only("id", "slug", "title", "kind")[:limit]
    )


def article_listed_qs(*, user: Any, language: str) -> QuerySet[Article]:
    """What the help centre lists for a visitor: one article per translation, in ``language`` where
    there is one (an English visitor sees "Reset your password", not also "Passwort zurücksetzen"),
    and the articles that exist only in another language."""
    qs = article_published_qs(user=user)
    own = qs.filter(language=language)
    translated = Q(pk__in=own.filter(translation_of__isnull=False).values("translation_of_id")) | Q(
        translation_of_id__in=own.values("pk")
    )
    return qs.filter(Q(language=language) | ~translated)


def categories_with_articles(*, user: Any, language: str) -> list[Category]:
    """Categories that have at least one article this user may read, with ``article_count`` of
    those the help centre lists in ``language``."""
    visible = article_listed_qs(user=user, language=language).values("pk")
    return list(
        Category.objects.filter(articles__in=visible)
        .annotate(article_count=Count("articles", filter=Q(articles__in=visible), distinct=True))
        .order_by("name")
    )


def checklist_for_ticket(*, ticket: Ticket) -> Checklist | None:
    """The checklist of the ticket's category, else of its nearest parent that has one."""
    category = ticket.category
    seen: set[int] = set()
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        checklist = Checklist.objects.filter(category=category).prefetch_related("items").first()
        if checklist is not None:
            return checklist
        category = category.parent
    return None


def checklist_ticked_ids(*, ticket: Ticket) -> set[int]:
    return set(ChecklistTick.objects.filter(ticket=ticket).values_list("item_id", flat=True))


def ticked_steps(ticket: Ticket) -> list[str]:
    """Checklist steps already done on this ticket, in checklist order (for an escalation's handoff)."""
    return list(
        ChecklistItem.objects.filter(ticks__ticket=ticket)
        .order_by("checklist_id", "position", "id")
        .values_list("text", flat=True)
    )


def canned_response_qs(*, user: Any) -> QuerySet[CannedResponse]:
    if not is_agent(user):
        return CannedResponse.objects.none()
    return CannedResponse.objects.filter(active=True).select_related("set_category")

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import (
    Article,
    ArticleTicketLink,
    ArticleVersion,
    CannedResponse,
    Checklist,
    ChecklistItem,
    Deflection,
    Synonym,
)
from .search import search_vector_refresh


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ["number", "title", "summary", "changed_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "kind", "visibility", "status", "language", "view_count", "updated_at"]
    list_filter = ["kind", "visibility", "status", "language", "categories"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["translation_of"]
    filter_horizontal = ["categories", "tags"]
    readonly_fields = ["helpful_count", "not_helpful_count", "view_count", "created_by", "updated_by"]
    inlines = [ArticleVersionInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        # The admin saves the row itself; keep what the services keep: a version and the search vector.
        super().save_related(request, form, formsets, change)
        from .services import _version_create

        article = form.instance
        article.updated_by = request.user
        article.save(update_fields=["updated_by"])
        previous = article.versions.order_by("-number").first()
        _version_create(article=article, by=request.user, summary="Edited in admin", previous=previous)
        search_vector_refresh(article_ids=[article.pk])


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "expansion", "language"]
    list_filter = ["language"]
    search_fields = ["term", "expansion"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "language"]
    inlines = [ChecklistItemInline]


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "set_status", "set_category", "active"]
    list_filter = ["language", "active"]


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["article", "query", "created_at", "submitted_ticket"]
    readonly_fields = ["session_key", "user", "article", "query", "created_at", "submitted_ticket"]


@admin.register(ArticleTicketLink)
class ArticleTicketLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "ticket", "linked_by", "created_at"]
    raw_id_fields = ["article", "ticket"]

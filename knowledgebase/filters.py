from __future__ import annotations

import django_filters

from .models import Article


class ArticleFilter(django_filters.FilterSet):
    category = django_filters.NumberFilter(field_name="categories", distinct=True)
    tag = django_filters.CharFilter(field_name="tags__name", distinct=True)

    class Meta:
        model = Article
        fields = ["kind", "visibility", "status", "language", "category", "tag"]

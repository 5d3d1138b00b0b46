from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tickets.models import Category

from .models import LANGUAGE_CHOICES, Article, ArticleVersion, CannedResponse, Checklist, Synonym


class ArticleOutputSerializer(serializers.ModelSerializer):
    tags = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    AGENT_ONLY = (
        "helpful_count",
        "not_helpful_count",
        "view_count",
        "solved_count",
        "created_by",
        "updated_by",
    )

    class Meta:
        model = Article
        fields = [
            "id", "slug", "title", "body", "body_html", "kind", "visibility", "status", "language",
            "translation_of", "tags", "categories", "url", "created_at", "updated_at",
            "helpful_count", "not_helpful_count", "view_count", "created_by", "updated_by",
        ]  # fmt: skip
        read_only_fields = fields

    def get_tags(self, obj: Article) -> list[str]:
        return [t.name for t in obj.tags.all()]

    def get_categories(self, obj: Article) -> list[int]:
        return [c.pk for c in obj.categories.all()]

    def get_url(self, obj: Article) -> str:
        return obj.get_absolute_url()

    def get_body_html(self, obj: Article) -> str:
        from .rendering import render_markdown

        return str(render_markdown(obj.body))

    def to_representation(self, instance: Article) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("is_agent"):
            data["solved_count"] = getattr(instance, "solved_count", None)
        else:
            for name in self.AGENT_ONLY:
                data.pop(name, None)
        if hasattr(instance, "search_score"):
            data["score"] = instance.search_score
            data["snippet"] = str(instance.search_snippet)
        return data


class ArticleInputSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=200, required=False)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=50_000)
    kind = serializers.ChoiceField(choices=Article.Kind.choices, required=False)
    visibility = serializers.ChoiceField(choices=Article.Visibility.choices, required=False)
    status = serializers.ChoiceField(choices=Article.Status.choices, required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    translation_of = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.all(), required=False, allow_null=True
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=30)
    categories = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), many=True, required=False
    )
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ArticleVersionOutputSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ArticleVersion
        fields = [
            "number",
            "title",
            "body",
            "status",
            "visibility",
            "summary",
            "diff",
            "changed_by",
            "created_at",
        ]
        read_only_fields = fields


class FeedbackInputSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()


class SuggestInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class SuggestionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="article.pk")
    title = serializers.CharField(source="article.title")
    url = serializers.CharField(source="article.get_absolute_url")
    snippet = serializers.CharField()
    score = serializers.FloatField()


class CannedResponseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CannedResponse
        fields = ["id", "title", "body", "language", "set_status", "set_category"]
        read_only_fields = fields


class CannedRenderInputSerializer(serializers.Serializer):
    ticket = serializers.IntegerField()


class ChecklistOutputSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = Checklist
        fields = ["id", "title", "category", "language", "items"]
        read_only_fields = fields

    def get_items(self, obj: Checklist) -> list[dict[str, Any]]:
        ticked = self.context.get("ticked_ids")
        out = []
        for item in obj.items.all():
            row: dict[str, Any] = {"id": item.pk, "text": item.text}
            if ticked is not None:
                row["ticked"] = item.pk in ticked
            out.append(row)
        return out


class SynonymSerializer(serializers.ModelSerializer):
    class Meta:
        model = Synonym
        fields = ["id", "term", "expansion", "language"]
        read_only_fields = ["id"]

"""Demo content for ``manage.py seed_demo``: ``seed()`` is idempotent (runs again without duplicates)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from tickets.models import Category

from . import demo_content as content
from .models import Article, CannedResponse, Checklist, ChecklistItem, Deflection, Synonym
from .services import article_create, deflection_record


def _category(key: str) -> Category:
    names, name_de = content.CATEGORIES[key]
    for name in names:
        found = Category.objects.filter(name__iexact=name).order_by("parent_id", "pk").first()
        if found is not None:
            if not found.name_de:
                found.name_de = name_de
                found.save(update_fields=["name_de"])
            return found
    return Category.objects.create(name=names[0], name_de=name_de)


def _author() -> Any:
    """Articles need an agent as author; the demo's first supervisor or agent, else a system user."""
    author = (
        User.objects.filter(role__in=[User.Role.SUPERVISOR, User.Role.AGENT]).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if author is None:
        author, _created = User.objects.get_or_create(
            username="kb-editor", defaults={"role": User.Role.AGENT, "first_name": "Knowledge base"}
        )
        author.set_unusable_password()
        author.save()
    return author


@transaction.atomic
def seed(*, stdout: Any = None) -> dict[str, int]:
    """Articles, synonyms, canned responses and checklists; returns how many of each were created."""
    author = _author()
    created = {"articles": 0, "synonyms": 0, "canned_responses": 0, "checklists": 0, "deflections": 0}
    by_slug = {a.slug: a for a in Article.objects.filter(slug__in=[d["slug"] for d in content.ARTICLES])}
    for data in content.ARTICLES:
        if data["slug"] in by_slug:
            continue
        translation_of = by_slug.get(data.get("translation_of", ""))
        by_slug[data["slug"]] = article_create(
            by=author,
            slug=data["slug"],
            title=data["title"],
            body=data["body"],
            kind=data["kind"],
            visibility=data.get("visibility", Article.Visibility.PUBLIC),
            status=data.get("status", Article.Status.PUBLISHED),
            language=data["language"],
            translation_of=translation_of,
            tags=data.get("tags", []),
            categories=[_category(data["category"])],
            summary="Demo content",
        )
        created["articles"] += 1
    for term, expansion, language in content.SYNONYMS:
        _obj, was_created = Synonym.objects.get_or_create(
            term=term, language=language, defaults={"expansion": expansion}
        )
        created["synonyms"] += was_created
    for data in content.CANNED_RESPONSES:
        _obj, was_created = CannedResponse.objects.get_or_create(
            title=data["title"],
            defaults={
                "body": data["body"],
                "language": data["language"],
                "set_status": data.get("set_status", ""),
                "set_category": _category(data["set_category"]) if data.get("set_category") else None,
            },
        )
        created["canned_responses"] += was_created
    for data in content.CHECKLISTS:
        checklist, was_created = Checklist.objects.get_or_create(
            category=_category(data["category"]),
            title=data["title"],
            defaults={"language": data["language"]},
        )
        if was_created:
            ChecklistItem.objects.bulk_create(
                ChecklistItem(checklist=checklist, text=text, position=i)
                for i, text in enumerate(data["items"])
            )
            created["checklists"] += 1
    if not Deflection.objects.exists():
        now = timezone.now()
        for i, (days_ago, slug, query) in enumerate(content.DEFLECTIONS):
            with time_machine.travel(now - timedelta(days=days_ago, hours=i), tick=False):
                deflection_record(session_key=f"demo-{i}", user=None, article=by_slug[slug], query=query)
            created["deflections"] += 1
    if stdout is not None:
        stdout.write(
            "Knowledge base: {articles} articles, {synonyms} synonyms, {canned_responses} canned responses, "
            "{checklists} checklists, {deflections} deflections created".format(**created)
        )
    return created

from __future__ import annotations

import pytest

from knowledgebase.models import Article
from knowledgebase.search import clear_synonym_cache
from knowledgebase.services import article_create


@pytest.fixture(autouse=True)
def _fresh_synonyms():  # noqa: ANN202
    # The synonym list is cached per process; a test's rolled-back rows must not leak into the next.
    clear_synonym_cache()
    yield
    clear_synonym_cache()


@pytest.fixture
def make_article(tina):  # noqa: ANN001, ANN201
    """``make_article(title=..., body=..., **fields)`` through the service, authored by tina."""

    def make(**fields: object) -> Article:
        fields.setdefault("title", "How to print")
        fields.setdefault("body", "Open the print dialog and choose FollowMe.")
        fields.setdefault("status", Article.Status.PUBLISHED)
        return article_create(by=fields.pop("by", tina), **fields)

    return make


@pytest.fixture
def matrix(make_article):  # noqa: ANN001, ANN201
    """One article per visibility × status that matters, all about the same word ("zebra")."""
    return {
        "public": make_article(slug="public-zebra", title="Zebra public guide", body="Zebra printers."),
        "internal": make_article(
            slug="internal-zebra", title="Zebra internal runbook", body="Zebra server.", visibility="internal"
        ),
        "draft": make_article(slug="draft-zebra", title="Zebra draft", body="Zebra soon.", status="draft"),
        "archived": make_article(
            slug="archived-zebra", title="Zebra archived", body="Zebra old.", status="archived"
        ),
    }

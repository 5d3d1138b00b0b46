"""Suggestion quality floor over the demo articles, and the demo seed itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Max, Min

from knowledgebase.demo import seed
from knowledgebase.models import Article, CannedResponse, Checklist, Deflection, Synonym
from tests.knowledgebase.eval_questions import QUESTIONS, evaluate

pytestmark = pytest.mark.django_db

# Measured on PostgreSQL when this was written: top-1 0.935 (43 of 46), top-3 1.000 (46 of 46).
# Raise these when the search gets better; never lower them.
TOP1_FLOOR = 0.93
TOP3_FLOOR = 1.0


def test_seed_is_idempotent_and_covers_kinds_languages_and_visibility():
    first = seed()
    again = seed()
    assert first["articles"] >= 30
    assert again == {"articles": 0, "synonyms": 0, "canned_responses": 0, "checklists": 0, "deflections": 0}
    # portal visitors a suggestion helped, over the last weeks (the dashboard's deflections)
    assert first["deflections"] == 6
    spread = Deflection.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert spread["last"] - spread["first"] > timedelta(days=28)
    assert set(Article.objects.values_list("kind", flat=True)) == set(Article.Kind.values)
    assert set(Article.objects.values_list("language", flat=True)) == {"de", "en"}
    assert Article.objects.filter(visibility="internal").count() >= 2
    assert Article.objects.filter(translation_of__isnull=False).count() >= 10
    assert Synonym.objects.count() >= 20
    assert CannedResponse.objects.exists()
    assert Checklist.objects.exists()


def test_evaluation_set_is_big_enough_and_refers_to_demo_articles():
    from knowledgebase.demo_content import ARTICLES

    slugs = {a["slug"] for a in ARTICLES}
    assert len(QUESTIONS) >= 40
    assert {lang for lang, _q, _e in QUESTIONS} == {"de", "en"}
    assert all(set(expected) <= slugs for _l, _q, expected in QUESTIONS)


@pytest.mark.postgres
def test_suggestion_quality_does_not_fall_below_the_floor():
    seed()
    result = evaluate()
    assert result.top3 >= TOP3_FLOOR, result.misses
    assert result.top1 >= TOP1_FLOOR, result.misses

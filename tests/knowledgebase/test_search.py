"""Search: stemming in both languages, synonyms, prefixes, typos, websearch syntax, safe snippets."""

from __future__ import annotations

import pytest

from knowledgebase.models import Article, Synonym
from knowledgebase.search import expand_terms, search

pytestmark = pytest.mark.django_db


def _slugs(query: str, *, language: str | None = None, limit: int = 5) -> list[str]:
    qs = Article.objects.filter(status=Article.Status.PUBLISHED)
    return [h.article.slug for h in search(qs=qs, query=query, language=language, limit=limit)]


@pytest.fixture
def articles(make_article):  # noqa: ANN001, ANN201
    make_article(
        slug="passwort", language="de", title="Passwort zurücksetzen", body="Ein neues Passwort setzen."
    )
    make_article(slug="drucken", language="de", title="Druckauftrag hängt", body="Die Warteschlange leeren.")
    make_article(slug="password", language="en", title="Reset your password", body="Choose a new password.")
    make_article(slug="printing", language="en", title="Print jobs stuck", body="Empty the printing queue.")
    make_article(slug="vpn", language="en", title="Connect with VPN", body="Start GlobalProtect at home.")


def test_synonyms_expand_words_and_phrases(articles):  # noqa: ANN001
    Synonym.objects.create(term="Kennwort", expansion="Passwort", language="de")
    Synonym.objects.create(term="drucker druckt nicht", expansion="Druckauftrag Warteschlange", language="de")
    assert "passwort" in expand_terms("Kennwort vergessen", language="de")
    assert {"druckauftrag", "warteschlange"} <= set(expand_terms("Mein Drucker druckt nicht!", language="de"))
    assert "passwort" not in expand_terms("Kennwort", language="en")


def test_synonym_finds_an_article_that_never_uses_the_customers_word(articles):  # noqa: ANN001
    assert "passwort" not in _slugs("Kennwort", language="de")
    Synonym.objects.create(term="kennwort", expansion="passwort", language="de")
    assert _slugs("Kennwort", language="de")[0] == "passwort"


def test_language_keeps_to_that_language_when_it_matches(articles):  # noqa: ANN001
    assert _slugs("password", language="en") == ["password"]
    # German has no match for this word, so all languages are searched.
    assert _slugs("GlobalProtect", language="de") == ["vpn"]


def test_snippet_is_escaped_then_highlighted(make_article):  # noqa: ANN001
    make_article(slug="xss", title="Zebra", body="Zebra <img src=x onerror=alert(1)> <b>bold</b> zebra")
    hit = search(qs=Article.objects.all(), query="zebra")[0]
    assert "<img" not in hit.snippet
    assert "<b>" not in hit.snippet
    assert "&lt;img" in hit.snippet
    assert "<mark>" in hit.snippet.lower()


def test_empty_and_symbol_only_queries_return_nothing(articles):  # noqa: ANN001
    assert _slugs("") == []
    assert _slugs("   !!! ''' & | :*") == []


def test_a_translation_is_shown_once(make_article):  # noqa: ANN001
    en = make_article(slug="zebra-en", language="en", title="Zebra crossing", body="zebra")
    make_article(slug="zebra-de", language="de", title="Zebrastreifen zebra", body="zebra", translation_of=en)
    assert len(_slugs("zebra")) == 1


@pytest.mark.postgres
def test_german_stemming_plural_finds_singular(articles):  # noqa: ANN001
    assert _slugs("Passwörter", language="de")[0] == "passwort"


@pytest.mark.postgres
def test_english_stemming(articles):  # noqa: ANN001
    assert _slugs("printers", language="en")[0] == "printing"
    assert _slugs("resetting passwords", language="en")[0] == "password"


@pytest.mark.postgres
def test_prefix_matching_as_you_type(articles):  # noqa: ANN001
    assert _slugs("Warteschl", language="de") == ["drucken"]
    assert _slugs("GlobalProt", language="en") == ["vpn"]


@pytest.mark.postgres
def test_typo_in_title_word_is_tolerated(articles):  # noqa: ANN001
    assert _slugs("pasword", language="en")[0] == "password"
    assert _slugs("Pasword zurücksezten", language="de")[0] == "passwort"


@pytest.mark.postgres
def test_title_weighs_more_than_body(make_article):  # noqa: ANN001
    make_article(slug="in-body", title="Something else", body="Outlook outlook outlook.")
    make_article(slug="in-title", title="Outlook", body="Something else entirely.")
    assert _slugs("outlook")[0] == "in-title"


@pytest.mark.postgres
def test_websearch_syntax_quotes_and_exclusion(articles):  # noqa: ANN001
    assert _slugs('"print jobs"') == ["printing"]
    assert "password" not in _slugs("reset -password new", language="en")


@pytest.mark.postgres
def test_search_vector_follows_edits(make_article, tina):  # noqa: ANN001
    from knowledgebase.services import article_update

    article = make_article(slug="editable", title="Old", body="Nothing here.")
    assert _slugs("giraffe") == []
    article_update(article=article, by=tina, body="A giraffe appears.")
    assert _slugs("giraffe") == ["editable"]


@pytest.mark.postgres
def test_tags_are_searchable(make_article):  # noqa: ANN001
    make_article(slug="tagged", title="Something", body="Nothing.", tags=["okapi"])
    assert _slugs("okapi") == ["tagged"]

"""Who sees which article: anonymous / customer / agent × public, internal, draft, archived,
in the API, the help pages, search and suggestions."""

from __future__ import annotations

import pytest
from django.test import Client

from knowledgebase.models import Article
from knowledgebase.search import search
from knowledgebase.selectors import article_published_qs, article_visible_qs

pytestmark = pytest.mark.django_db

EXPECTED = {
    # who: kinds visible in the API / on /help/<slug>/
    "anonymous": {"public"},
    "customer": {"public"},
    "agent": {"public", "internal", "draft", "archived"},
}
# Search, suggestions and help lists offer published articles only (internal ones to agents).
EXPECTED_OFFERED = {"anonymous": {"public"}, "customer": {"public"}, "agent": {"public", "internal"}}


@pytest.fixture
def who(request, alice, tina):  # noqa: ANN001, ANN201
    return {"anonymous": None, "customer": alice, "agent": tina}[request.param]


def _kinds(matrix: dict[str, Article], ids: set[int]) -> set[str]:
    return {name for name, article in matrix.items() if article.pk in ids}


@pytest.mark.parametrize("who", ["anonymous", "customer", "agent"], indirect=True)
def test_api_list_and_detail_show_only_what_the_caller_may_see(who, matrix, api_as, request):  # noqa: ANN001
    # given
    name = request.node.callspec.params["who"]
    client = api_as(who)
    # when
    listed = client.get("/api/v1/kb/articles/").json()["results"]
    details = {k: client.get(f"/api/v1/kb/articles/{a.pk}/").status_code for k, a in matrix.items()}
    # then
    assert _kinds(matrix, {row["id"] for row in listed}) == EXPECTED[name]
    assert {k for k, code in details.items() if code == 200} == EXPECTED[name]
    assert {k for k, code in details.items() if code == 404} == set(matrix) - EXPECTED[name]


@pytest.mark.parametrize("who", ["anonymous", "customer", "agent"], indirect=True)
def test_api_search_and_suggest_offer_only_visible_articles(who, matrix, api_as, request):  # noqa: ANN001
    name = request.node.callspec.params["who"]
    client = api_as(who)
    searched = client.get("/api/v1/kb/articles/", {"q": "zebra", "status": "published"}).json()["results"]
    suggested = client.get("/api/v1/kb/suggest/", {"q": "zebra"}).json()
    assert _kinds(matrix, {row["id"] for row in searched}) == EXPECTED_OFFERED[name]
    assert _kinds(matrix, {row["id"] for row in suggested}) == EXPECTED_OFFERED[name]


@pytest.mark.parametrize("who", ["anonymous", "customer", "agent"], indirect=True)
def test_help_pages_show_only_what_the_caller_may_see(who, matrix, request):  # noqa: ANN001
    name = request.node.callspec.params["who"]
    client = Client()
    if who is not None:
        client.force_login(who)
    codes = {k: client.get(f"/help/{a.slug}/").status_code for k, a in matrix.items()}
    assert {k for k, c in codes.items() if c == 200} == EXPECTED[name]
    assert {k for k, c in codes.items() if c == 404} == set(matrix) - EXPECTED[name]
    listing = client.get("/help/").content.decode()
    results = client.get("/help/", {"q": "zebra"}).content.decode()
    fragment = client.get("/help/suggest/", {"subject": "zebra", "description": ""}).content.decode()
    for kind, article in matrix.items():
        offered = kind in EXPECTED_OFFERED[name]
        assert (article.title in listing) is offered, kind
        assert (article.title in results) is offered, kind
        assert (article.title in fragment) is offered, kind


def test_internal_article_is_marked_for_agents(matrix, tina, client):  # noqa: ANN001
    client.force_login(tina)
    page = client.get("/help/internal-zebra/").content.decode()
    assert "Internal — agents only" in page


@pytest.mark.parametrize("who", ["anonymous", "customer", "agent"], indirect=True)
def test_search_function_respects_the_selector(who, matrix, request):  # noqa: ANN001
    name = request.node.callspec.params["who"]
    hits = search(qs=article_published_qs(user=who), query="zebra", limit=10)
    assert _kinds(matrix, {h.article.pk for h in hits}) == EXPECTED_OFFERED[name]
    assert _kinds(matrix, set(article_visible_qs(user=who).values_list("pk", flat=True))) == EXPECTED[name]


def test_customer_gets_404_for_versions_and_feedback_of_an_internal_article(matrix, alice, api_as):  # noqa: ANN001
    client = api_as(alice)
    internal = matrix["internal"]
    assert client.get(f"/api/v1/kb/articles/{internal.pk}/versions/").status_code == 404
    assert client.post(f"/api/v1/kb/articles/{internal.pk}/feedback/", {"helpful": True}).status_code == 404
    assert client.post(f"/help/{internal.slug}/feedback/", {"helpful": "1"}).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "customer", "agent"], indirect=True)
def test_feed_carries_published_public_articles_only_whoever_fetches_it(who, matrix):  # noqa: ANN001
    client = Client()
    if who is not None:
        client.force_login(who)
    feed = client.get("/help/feed/").content.decode()
    assert {k for k, a in matrix.items() if a.title in feed} == {"public"}

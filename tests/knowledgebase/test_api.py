"""/api/v1/kb/: article CRUD by role, versions, feedback, suggest, canned responses, checklists, synonyms."""

from __future__ import annotations

import pytest

from knowledgebase.models import Article, CannedResponse, Checklist, ChecklistItem, Synonym
from tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db

NEW = {"title": "Reset your password", "body": "Go to **password.example.com**.", "status": "published"}


def test_agent_creates_an_article_with_tags_categories_and_a_first_version(api_as, tina):  # noqa: ANN001
    category = CategoryFactory(name="Accounts")
    response = api_as(tina).post(
        "/api/v1/kb/articles/",
        {
            **NEW,
            "language": "en",
            "kind": "how_to",
            "tags": ["Password", "sign-in"],
            "categories": [category.pk],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "reset-your-password"
    assert body["tags"] == ["password", "sign-in"]
    assert body["categories"] == [category.pk]
    assert "<strong>password.example.com</strong>" in body["body_html"]
    article = Article.objects.get(pk=body["id"])
    assert article.created_by == tina
    assert article.versions.count() == 1


@pytest.mark.parametrize("who", [None, "alice"])
def test_customers_and_anonymous_may_not_write(who, api_as, request, make_article):  # noqa: ANN001
    user = request.getfixturevalue(who) if who else None
    client = api_as(user)
    article = make_article()
    expected = 403 if user else 401
    assert client.post("/api/v1/kb/articles/", NEW).status_code in (expected, 403)
    assert client.patch(f"/api/v1/kb/articles/{article.pk}/", {"title": "x"}).status_code in (expected, 403)
    assert client.delete(f"/api/v1/kb/articles/{article.pk}/").status_code in (expected, 403)
    assert Article.objects.filter(pk=article.pk, title=article.title).exists()


def test_agent_updates_and_supervisor_deletes(api_as, tina, sam, make_article):  # noqa: ANN001
    article = make_article()
    patched = api_as(tina).patch(f"/api/v1/kb/articles/{article.pk}/", {"title": "Printing", "summary": "t"})
    assert patched.status_code == 200
    assert patched.json()["title"] == "Printing"
    assert api_as(tina).delete(f"/api/v1/kb/articles/{article.pk}/").status_code == 403
    assert api_as(sam).delete(f"/api/v1/kb/articles/{article.pk}/").status_code == 204
    assert not Article.objects.filter(pk=article.pk).exists()


def test_read_only_fields_are_never_applied(api_as, tina, make_article):  # noqa: ANN001
    article = make_article()
    api_as(tina).patch(
        f"/api/v1/kb/articles/{article.pk}/", {"helpful_count": 99, "view_count": 5, "created_by": 1}
    )
    article.refresh_from_db()
    assert (article.helpful_count, article.view_count) == (0, 0)


def test_invalid_input_is_400_with_field_errors(api_as, tina, make_article):  # noqa: ANN001
    make_article(slug="taken")
    client = api_as(tina)
    assert "kind" in client.post("/api/v1/kb/articles/", {**NEW, "kind": "poem"}).json()
    assert "slug" in client.post("/api/v1/kb/articles/", {**NEW, "slug": "taken"}).json()
    assert "slug" in client.post("/api/v1/kb/articles/", {**NEW, "slug": "suggest"}).json()


def test_versions_list_for_agents_only(api_as, tina, alice, make_article):  # noqa: ANN001
    article = make_article()
    api_as(tina).patch(f"/api/v1/kb/articles/{article.pk}/", {"body": "New text", "summary": "rewrite"})
    versions = api_as(tina).get(f"/api/v1/kb/articles/{article.pk}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["summary"] == "rewrite"
    assert versions[0]["changed_by"] == "tina"
    assert api_as(alice).get(f"/api/v1/kb/articles/{article.pk}/versions/").status_code == 403


def test_feedback_counts_for_anyone_who_can_see_it(api_as, tina, make_article):  # noqa: ANN001
    article = make_article()
    assert (
        api_as(None).post(f"/api/v1/kb/articles/{article.pk}/feedback/", {"helpful": True}).status_code == 200
    )
    api_as(None).post(f"/api/v1/kb/articles/{article.pk}/feedback/", {"helpful": False})
    assert api_as(None).post(f"/api/v1/kb/articles/{article.pk}/feedback/", {}).status_code == 400
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 1)
    # Counts are agent information.
    assert "helpful_count" not in api_as(None).get(f"/api/v1/kb/articles/{article.pk}/").json()
    assert api_as(tina).get(f"/api/v1/kb/articles/{article.pk}/").json()["helpful_count"] == 1


def test_q_ranks_by_relevance_with_score_and_snippet(api_as, make_article):  # noqa: ANN001
    make_article(title="Outlook calendar", body="Share a calendar.")
    make_article(title="Printer setup", body="Add the printer. Printer driver. Printer queue.")
    results = api_as(None).get("/api/v1/kb/articles/", {"q": "printer"}).json()["results"]
    assert [r["title"] for r in results] == ["Printer setup"]
    assert results[0]["score"] > 0
    assert "<mark>" in results[0]["snippet"].lower()


def test_suggest_returns_at_most_five_best_first(api_as, make_article):  # noqa: ANN001
    for i in range(7):
        make_article(title=f"Printer guide {i}", body="printer " * (i + 1))
    make_article(title="Unrelated", body="Calendar.")
    rows = api_as(None).get("/api/v1/kb/suggest/", {"q": "printer", "language": "en"}).json()
    assert len(rows) == 5
    assert set(rows[0]) == {"id", "title", "url", "snippet", "score"}
    assert rows[0]["url"].startswith("/help/")
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert api_as(None).get("/api/v1/kb/suggest/", {"q": "x" * 201}).status_code == 400
    assert api_as(None).get("/api/v1/kb/suggest/", {"q": "p", "language": "fr"}).status_code == 400


def test_article_list_query_count_does_not_grow(api_as, tina, make_article, django_assert_max_num_queries):  # noqa: ANN001
    for i in range(10):
        make_article(title=f"Article {i}", tags=["a", "b"])
    with django_assert_max_num_queries(6):
        response = api_as(tina).get("/api/v1/kb/articles/")
    assert len(response.json()["results"]) == 10


def test_ordering_and_filters_use_an_allowlist(api_as, tina, make_article):  # noqa: ANN001
    make_article(title="B", language="de")
    make_article(title="A", language="en")
    client = api_as(tina)
    assert [
        r["title"] for r in client.get("/api/v1/kb/articles/", {"ordering": "title"}).json()["results"]
    ] == ["A", "B"]
    assert [r["title"] for r in client.get("/api/v1/kb/articles/", {"language": "de"}).json()["results"]] == [
        "B"
    ]
    # Not in the allowlist: ignored, never a lookup across relations.
    response = client.get("/api/v1/kb/articles/", {"ordering": "created_by__password"})
    assert response.status_code == 200


def test_canned_responses_render_for_agents_only(api_as, tina, alice):  # noqa: ANN001
    ticket = TicketFactory(requester=alice)
    canned = CannedResponse.objects.create(title="Hi", body="Hello {customer_name} ({reference})")
    assert api_as(alice).get("/api/v1/kb/canned-responses/").status_code == 403
    assert [r["title"] for r in api_as(tina).get("/api/v1/kb/canned-responses/").json()["results"]] == ["Hi"]
    rendered = (
        api_as(tina).get(f"/api/v1/kb/canned-responses/{canned.pk}/render/", {"ticket": ticket.pk}).json()
    )
    assert rendered["body"] == f"Hello Alice ({ticket.reference})"
    missing = api_as(tina).get(f"/api/v1/kb/canned-responses/{canned.pk}/render/", {"ticket": 999999})
    assert missing.status_code == 404


def test_ticket_checklist_api_shows_ticks(api_as, tina, alice, network_category):  # noqa: ANN001
    from knowledgebase.services import checklist_tick_set

    checklist = Checklist.objects.create(category=network_category, title="VPN")
    first = ChecklistItem.objects.create(checklist=checklist, text="Internet works", position=0)
    ChecklistItem.objects.create(checklist=checklist, text="Tried SSL only", position=1)
    ticket = TicketFactory(requester=alice, category=network_category)
    checklist_tick_set(ticket=ticket, item=first, by=tina, ticked=True)
    body = api_as(tina).get(f"/api/v1/kb/tickets/{ticket.pk}/checklist/").json()
    assert [(i["text"], i["ticked"]) for i in body["items"]] == [
        ("Internet works", True),
        ("Tried SSL only", False),
    ]
    assert api_as(alice).get(f"/api/v1/kb/tickets/{ticket.pk}/checklist/").status_code == 403
    assert len(api_as(tina).get("/api/v1/kb/checklists/").json()["results"]) == 1


def test_synonyms_supervisors_edit_agents_read(api_as, tina, sam, alice):  # noqa: ANN001
    payload = {"term": "Kennwort", "expansion": "passwort", "language": "de"}
    assert api_as(tina).post("/api/v1/kb/synonyms/", payload).status_code == 403
    created = api_as(sam).post("/api/v1/kb/synonyms/", payload)
    assert created.status_code == 201
    assert Synonym.objects.get().term == "kennwort"
    assert api_as(tina).get("/api/v1/kb/synonyms/").status_code == 200
    assert api_as(alice).get("/api/v1/kb/synonyms/").status_code == 403

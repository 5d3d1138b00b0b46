"""Help centre pages, the portal suggestion fragment and deflection, and the agent panel actions."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from knowledgebase import panels
from knowledgebase.models import (
    Article,
    ArticleTicketLink,
    CannedResponse,
    Checklist,
    ChecklistItem,
    ChecklistTick,
    Deflection,
)
from tests.factories import CategoryFactory, TicketFactory
from tickets.models import Ticket
from tickets.panels import agent_ticket_panels, nav_entries, render_panels

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:  # noqa: ANN001
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_home_shows_search_popular_categories_and_request_link(make_article, client):  # noqa: ANN001
    category = CategoryFactory(name="Printing")
    make_article(title="Print jobs stuck", categories=[category])
    page = client.get("/").content.decode()
    assert 'name="q"' in page
    assert "Print jobs stuck" in page
    assert "Printing" in page
    assert 'href="/portal/new/"' in page


def test_help_lists_by_category_with_bounded_queries(make_article, client, django_assert_max_num_queries):  # noqa: ANN001
    category = CategoryFactory(name="Printing")
    for i in range(8):
        make_article(title=f"Printer {i}", categories=[category])
    make_article(title="Calendar sharing")
    with django_assert_max_num_queries(8):
        page = client.get("/help/", {"category": category.pk}).content.decode()
    assert "Printer 7" in page
    assert "Calendar sharing" not in page


def test_article_page_renders_sanitised_body_translation_and_related(make_article, client):  # noqa: ANN001
    category = CategoryFactory(name="Accounts")
    en = make_article(
        slug="reset", title="Reset", body="**Bold** <script>x()</script>", categories=[category]
    )
    make_article(slug="zuruecksetzen", title="Zurücksetzen", language="de", translation_of=en)
    make_article(slug="locked", title="Account locked", categories=[category])
    page = client.get("/help/reset/").content.decode()
    assert "<strong>Bold</strong>" in page
    assert "x()" not in page
    assert 'href="/help/zuruecksetzen/"' in page
    assert 'href="/help/locked/"' in page
    german = client.get("/help/zuruecksetzen/").content.decode()
    assert 'href="/help/reset/"' in german


def test_feedback_counts_once_per_session_and_counts_show_to_agents_only(make_article, tina):  # noqa: ANN001
    article = make_article(slug="reset")
    client = _client()
    client.post("/help/reset/feedback/", {"helpful": "1"})
    client.post("/help/reset/feedback/", {"helpful": "1"})
    article.refresh_from_db()
    assert article.helpful_count == 1
    assert "found this helpful" not in client.get("/help/reset/").content.decode()
    assert "1 found this helpful" in _client(tina).get("/help/reset/").content.decode()


def test_agents_see_solved_count(make_article, tina, alice):  # noqa: ANN001
    article = make_article(slug="reset")
    for _ in range(2):
        ArticleTicketLink.objects.create(article=article, ticket=TicketFactory(requester=alice))
    assert "Solved 2 tickets" in _client(tina).get("/help/reset/").content.decode()
    assert "Solved" not in _client(alice).get("/help/reset/").content.decode()


def test_suggest_fragment_lists_up_to_five_with_solved_buttons(make_article, client):  # noqa: ANN001
    for i in range(7):
        make_article(title=f"Printer {i}", body="printer")
    html = client.get("/help/suggest/", {"subject": "printer", "description": "broken"}).content.decode()
    assert html.count('class="kb-suggestion"') == 5
    assert html.count("This solved my problem") == 5
    assert 'hx-post="/help/suggest/solved/"' in html
    assert client.get("/help/suggest/", {"subject": "pr"}).content.decode().strip() == ""


def test_suggest_fragment_escapes_the_query(make_article, client):  # noqa: ANN001
    make_article(title="Printer", body="printer")
    html = client.get(
        "/help/suggest/", {"subject": "printer </script><script>alert(1)</script>"}
    ).content.decode()
    assert "<script>alert(1)" not in html


def test_solved_records_a_deflection_and_ends_the_form(make_article):  # noqa: ANN001
    article = make_article(title="Printer")
    client = Client(enforce_csrf_checks=False)
    response = client.post("/help/suggest/solved/", {"article": article.pk, "q": "printer broken"})
    assert response.status_code == 200
    assert "no request was sent" in response.content.decode()
    deflection = Deflection.objects.get()
    assert (deflection.article, deflection.query) == (article, "printer broken")
    assert deflection.session_key


def _portal_submit(client: Client) -> Ticket:
    response = client.post(
        "/portal/new/",
        {"subject": "Printer", "description": "Still broken", "impact": "low", "urgency": "low"},
    )
    assert response.status_code == 302
    return Ticket.objects.latest("pk")


def test_a_request_submitted_after_solved_in_the_same_session_undoes_the_deflection(make_article, alice):  # noqa: ANN001
    # given alice said a suggestion solved it, in this browser session and in another one
    article = make_article(title="Printer")
    client, other_session = _client(alice), _client(alice)
    client.post("/help/suggest/solved/", {"article": article.pk, "q": "printer"})
    other_session.post("/help/suggest/solved/", {"article": article.pk, "q": "printer"})
    mine, other = Deflection.objects.order_by("pk")
    # when she submits the form after all, from the first session
    ticket = _portal_submit(client)
    # then that session's deflection was none; the other session's stands
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.submitted_ticket, other.submitted_ticket) == (ticket, None)
    # and the event carries a digest of the session, never the session key
    created = ticket.events.get(kind="created")
    assert created.data["portal_session"]
    assert client.session.session_key not in str(created.data)


def test_a_deflection_after_a_submission_stands(make_article, alice):  # noqa: ANN001
    article = make_article(title="Printer")
    client = _client(alice)
    _portal_submit(client)
    client.post("/help/suggest/solved/", {"article": article.pk, "q": "printer"})
    assert Deflection.objects.get().submitted_ticket is None


def test_solved_for_an_invisible_article_is_404(make_article):  # noqa: ANN001
    article = make_article(title="Runbook", visibility="internal")
    response = Client().post("/help/suggest/solved/", {"article": article.pk, "q": "x"})
    assert response.status_code == 404
    assert not Deflection.objects.exists()


def test_solved_needs_csrf(make_article):  # noqa: ANN001
    article = make_article(title="Printer")
    response = Client(enforce_csrf_checks=True).post("/help/suggest/solved/", {"article": article.pk})
    assert response.status_code == 403


def test_agent_links_article_as_solution(make_article, tina, alice):  # noqa: ANN001
    article = make_article()
    ticket = TicketFactory(requester=alice)
    response = _client(tina).post(f"/help/links/{ticket.pk}/{article.pk}/")
    assert response.status_code == 200
    assert "Linked as solution" in response.content.decode()
    assert ArticleTicketLink.objects.filter(article=article, ticket=ticket, linked_by=tina).exists()
    assert _client(alice).post(f"/help/links/{ticket.pk}/{article.pk}/").status_code == 403


def test_agent_creates_article_from_resolved_ticket(tina, alice):  # noqa: ANN001
    ticket = TicketFactory(requester=alice, status=Ticket.Status.RESOLVED, resolution="Rebooted the router.")
    response = _client(tina).post(f"/help/from-ticket/{ticket.pk}/")
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/help/{article.slug}/edit/"
    assert "Rebooted the router." in article.body
    open_ticket = TicketFactory(requester=alice)
    assert _client(tina).post(f"/help/from-ticket/{open_ticket.pk}/").status_code == 400


def test_agent_edits_an_article_and_a_version_is_kept(make_article, tina):  # noqa: ANN001
    article = make_article(slug="reset", title="Reset")
    client = _client(tina)
    assert client.get("/help/reset/edit/").status_code == 200
    response = client.post(
        "/help/reset/edit/",
        {
            "title": "Reset a password", "slug": "reset", "body": "New body", "kind": "how_to",
            "visibility": "public", "status": "published", "language": "en", "summary": "clearer",
        },
    )  # fmt: skip
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Reset a password"
    assert article.versions.count() == 2
    assert client.get("/help/reset/versions/").status_code == 200
    assert "New body" in client.get("/help/reset/versions/2/").content.decode()


def test_customers_cannot_open_editor_or_versions(make_article, alice):  # noqa: ANN001
    make_article(slug="reset")
    assert _client(alice).get("/help/reset/edit/").status_code == 403
    assert _client(alice).get("/help/reset/versions/").status_code == 403
    assert _client().get("/help/reset/edit/").status_code == 302


def test_canned_apply_returns_text_and_sets_status(tina, alice):  # noqa: ANN001
    from tickets.services import ticket_create

    ticket = ticket_create(requester=alice, by=alice, subject="Printer", description="x")
    canned = CannedResponse.objects.create(title="Ask", body="Hi {customer_name}", set_status="pending")
    response = _client(tina).post(f"/help/canned/{ticket.pk}/{canned.pk}/")
    assert response.json()["body"] == "Hi Alice"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert _client(alice).post(f"/help/canned/{ticket.pk}/{canned.pk}/").status_code == 403


def test_checklist_tick_and_untick_via_htmx(tina, alice, network_category):  # noqa: ANN001
    checklist = Checklist.objects.create(category=network_category, title="VPN")
    item = ChecklistItem.objects.create(checklist=checklist, text="Internet works")
    other = ChecklistItem.objects.create(
        checklist=Checklist.objects.create(category=CategoryFactory(), title="X"), text="y"
    )
    ticket = TicketFactory(requester=alice, category=network_category)
    client = _client(tina)
    html = client.post(f"/help/checklist/{ticket.pk}/{item.pk}/", {"ticked": "on"}).content.decode()
    assert "checked" in html
    assert ChecklistTick.objects.filter(ticket=ticket, item=item, ticked_by=tina).exists()
    client.post(f"/help/checklist/{ticket.pk}/{item.pk}/", {"ticked": "off"})
    assert not ChecklistTick.objects.exists()
    # An item of another category's checklist does not belong to this ticket.
    assert client.post(f"/help/checklist/{ticket.pk}/{other.pk}/", {"ticked": "on"}).status_code == 404


def test_panels_are_registered_and_render_for_agents(make_article, tina, alice, network_category):  # noqa: ANN001
    make_article(title="VPN drops every hour", body="Use SSL only.")
    Checklist.objects.create(category=network_category, title="VPN checks")
    CannedResponse.objects.create(title="Ask", body="Hi")
    ticket = TicketFactory(
        requester=alice, category=network_category, subject="VPN drops", status=Ticket.Status.RESOLVED
    )
    request = RequestFactory().get("/agent/")
    request.user = tina
    side = dict(render_panels(agent_ticket_panels, request, ticket, "side"))
    assert [h.article.title for h in side["knowledgebase/_agent_articles.html"]["kb_hits"]] == [
        "VPN drops every hour"
    ]
    assert side["knowledgebase/_agent_checklist.html"]["checklist"].title == "VPN checks"
    assert "knowledgebase/_agent_canned.html" in side
    actions = dict(render_panels(agent_ticket_panels, request, ticket, "actions"))
    assert "knowledgebase/_agent_from_ticket.html" in actions
    html = "".join(
        render_to_string(template, ctx, request=request)
        for template, ctx in [*side.items(), *actions.items()]
    )
    assert "Insert into reply" in html
    assert f'hx-post="/help/links/{ticket.pk}/' in html
    assert "VPN checks" in html
    assert f'data-kb-canned-url="/help/canned/{ticket.pk}/' in html
    assert f'action="/help/from-ticket/{ticket.pk}/"' in html
    request.user = alice
    assert panels.articles_context(request, ticket) is None
    assert any(e.url_name == "knowledgebase:index" for e in nav_entries)


def test_help_centre_speaks_german(make_article, client):  # noqa: ANN001
    make_article(slug="reset", title="Reset")
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Wie können wir helfen?" in home
    article = client.get("/help/reset/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "War das hilfreich?" in article


# --- Article from a ticket, and the article form ------------------------------------------------------


def test_article_from_ticket_drafts_from_public_content_only(alice, tina, nick, network_category):  # noqa: ANN001
    # given: a resolved ticket with an internal note and an escalation handoff
    from escalation.services import ticket_escalate
    from tickets.services import message_add, ticket_create, ticket_resolve

    ticket = ticket_create(
        requester=alice, by=alice, subject="VPN drops", description="Every hour since Monday.",
        category=network_category,
    )  # fmt: skip
    message_add(
        ticket=ticket, author=tina, body="Alice's laptop is 10.1.2.3, admin pw in vault", internal=True
    )
    ticket_escalate(
        ticket=ticket, by=tina, reason="needs_expertise", summary="Customer on old client, suspect gateway",
        steps_taken="Checked the gateway log", diagnostics="Gateway gw-internal-7 at 95 % CPU",
    )  # fmt: skip
    ticket_resolve(ticket=ticket, by=nick, resolution="Update the VPN client to 5.2.1.")
    c = _client(tina)
    # when
    response = c.post(f"/help/from-ticket/{ticket.pk}/", follow=True)
    # then: the draft has what the customer could read, nothing meant for agents
    article = Article.objects.get()
    assert "Every hour since Monday." in article.body
    assert "Update the VPN client to 5.2.1." in article.body
    for internal in ("10.1.2.3", "suspect gateway", "Checked the gateway log", "gw-internal-7"):
        assert internal not in article.body
    assert article.versions.get().summary == f"From ticket {ticket.reference}"
    # and the agent lands on the draft's form, told what was created
    assert response.redirect_chain[-1][0] == f"{article.get_absolute_url()}edit/"
    assert f"Draft created from {ticket.reference}." in response.content.decode()


def test_the_article_form_lists_only_other_language_articles_as_originals(make_article, tina):  # noqa: ANN001
    # given
    en = make_article(slug="vpn-setup", title="VPN setup", language="en")
    other_en = make_article(slug="vpn-faq", title="VPN FAQ", language="en")
    de = make_article(slug="vpn-einrichten", title="VPN einrichten", language="de")
    category = CategoryFactory(name="Network")
    # when
    response = _client(tina).get(f"/help/{en.slug}/edit/")
    # then: "Translation of" never lists the article itself nor another English one
    choices = list(response.context["form"].fields["translation_of"].queryset)
    assert choices == [de]
    html = response.content.decode()
    assert f'<option value="{other_en.pk}"' not in html
    # the project's form layout: labels without Django's colons, categories as checkboxes, language as radios
    assert "Title:</label>" not in html
    assert f'type="checkbox" name="categories" value="{category.pk}"' in html
    assert 'type="radio" name="language" value="de"' in html


def test_an_article_cannot_translate_one_in_its_own_language(make_article, tina):  # noqa: ANN001
    en = make_article(slug="vpn-setup", title="VPN setup", language="en")
    other_en = make_article(slug="vpn-faq", title="VPN FAQ", language="en")
    data = {"title": "VPN setup", "body": "x", "kind": "faq", "visibility": "public", "status": "draft"}
    response = _client(tina).post(
        f"/help/{en.slug}/edit/", {**data, "language": "en", "translation_of": other_en.pk}
    )
    assert response.status_code == 400
    en.refresh_from_db()
    assert en.translation_of is None


def test_saving_an_article_says_so(make_article, tina):  # noqa: ANN001
    # given
    category = CategoryFactory(name="Network")
    c = _client(tina)
    data = {"title": "VPN setup", "body": "Start the client.", "kind": "how_to", "visibility": "public"}
    # when
    response = c.post(
        "/help/new/",
        {**data, "status": "published", "language": "en", "categories": [category.pk]},
        follow=True,
    )
    # then
    article = Article.objects.get()
    assert list(article.categories.all()) == [category]
    assert "Article saved." in response.content.decode()
    response = c.post(
        f"/help/{article.slug}/edit/", {**data, "status": "draft", "language": "en"}, follow=True
    )
    assert "Article saved." in response.content.decode()


def test_help_search_fragment_for_htmx_whole_page_for_history_restore(make_article, client):  # noqa: ANN001
    make_article(title="Print jobs stuck", body="Empty the queue.")
    fragment = client.get("/help/", {"q": "print"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]  # a cached fragment is never shown as the page
    restored = client.get(
        "/help/", {"q": "print"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restored.content.decode()
    # the home page's live search shows nothing for an empty box (not every article)
    empty = client.get("/help/", {"q": ""}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="kb-home-results")
    assert empty.content == b""


@pytest.mark.parametrize(
    ("language", "listed", "not_listed"),
    [
        ("en", ["Reset your password", "Nur auf Deutsch"], "Passwort zurücksetzen"),
        ("de", ["Passwort zurücksetzen", "Only in English"], "Reset your password"),
    ],
)
def test_help_centre_lists_each_article_once_in_the_visitors_language(
    make_article, client, language, listed, not_listed
):  # noqa: ANN001
    category = CategoryFactory(name="Accounts")
    en = make_article(
        slug="reset-password", language="en", title="Reset your password", categories=[category]
    )
    make_article(
        slug="passwort",
        language="de",
        title="Passwort zurücksetzen",
        translation_of=en,
        categories=[category],
    )
    make_article(slug="nur-de", language="de", title="Nur auf Deutsch", categories=[category])
    make_article(slug="only-en", language="en", title="Only in English", categories=[category])
    response = client.get("/help/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    for title in listed:
        assert title in page
    assert not_listed not in page
    # the category counts what the list shows
    [counted] = [c for c in response.context["categories"] if c.pk == category.pk]
    assert counted.article_count == 3


def test_creating_an_article_from_a_ticket_twice_opens_the_first_draft(alice, tina):  # noqa: ANN001
    from tickets.services import ticket_create, ticket_resolve

    ticket = ticket_create(requester=alice, by=alice, subject="Printer offline", description="Since noon.")
    ticket_resolve(ticket=ticket, by=tina, resolution="Restarted the spooler.")
    c = _client(tina)
    c.post(f"/help/from-ticket/{ticket.pk}/")
    again = c.post(f"/help/from-ticket/{ticket.pk}/", follow=True)
    article = Article.objects.get()  # one draft, not a second "printer-offline-2"
    assert again.redirect_chain[-1][0] == f"{article.get_absolute_url()}edit/"
    assert f"A draft from {ticket.reference} already exists" in again.content.decode()

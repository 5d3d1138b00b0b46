"""The queue's saved views in the browser (HTTP client): the sidebar with counts, opening a view,
save as view, edit, delete with undo; the queue's new filters; permissions and query counts."""

from __future__ import annotations

import re

import pytest

from savedviews.models import SavedView
from savedviews.services import saved_view_create
from tests.api.conftest import make_ticket

pytestmark = pytest.mark.django_db


def _count_of(html: str, name: str) -> str:
    match = re.search(
        rf'<span class="view-name">{re.escape(name)}.*?data-testid="view-count"[^>]*>([^<]+)<', html, re.S
    )
    assert match, f"{name} not in the sidebar"
    return match.group(1)


def test_the_queue_lists_own_and_shared_views_with_counts(client_as, tickets, tina, sam, service_desk):
    saved_view_create(owner=tina, name="Phone calls", filters={"channel": "phone"})
    saved_view_create(
        owner=sam, name="Everything", filters={"status": "any"}, shared_with_teams=[service_desk]
    )
    saved_view_create(owner=sam, name="Sam's own")
    html = client_as(tina).get("/agent/?tab=open").content.decode()
    assert _count_of(html, "Phone calls") == "1"
    assert _count_of(html, "Everything") == "3"
    assert "Shared with my teams" in html
    assert "Sam's own" not in html


def test_the_queue_with_ten_views_takes_few_queries(
    client_as, tickets, tina, sam, service_desk, django_assert_max_num_queries
):
    for n in range(10):
        saved_view_create(owner=tina, name=f"View {n}", filters={"tier": 1 + n % 3})
    client = client_as(tina)
    client.get("/agent/?tab=open")  # the session's tab is remembered once
    # session, user, the page of tickets, the team and agent pickers, categories, the views, all
    # ten counts in one query
    with django_assert_max_num_queries(10):
        response = client.get("/agent/?tab=open")
    assert response.content.decode().count('data-testid="view-count"') == 10


def test_opening_a_view_applies_its_filters_sort_and_columns(client_as, tickets, tina):
    view = saved_view_create(
        owner=tina,
        name="Phone calls",
        filters={"channel": "phone"},
        columns=["reference", "subject", "channel"],
    )
    html = client_as(tina).get(f"/agent/views/{view.pk}/").content.decode()
    assert "<h1>Phone calls</h1>" in html
    assert "VPN drops" in html
    assert "Printer jams" not in html
    assert re.findall(r'data-column="(\w+)"', html) == ["reference", "subject", "channel"]
    assert 'aria-current="page"><span class="view-name">Phone calls' in html
    # the filter form shows the view's filters; changed filters apply on top of it
    assert '<option value="phone" selected>' in html
    changed = client_as(tina).get(f"/agent/views/{view.pk}/?tab=open&channel=web").content.decode()
    assert "Printer jams" in changed
    assert "VPN drops" not in changed
    assert "Save filters to this view" in changed


def test_columns_have_translated_headers(client_as, tickets, tina):
    tina.language = "de"
    tina.save(update_fields=["language"])
    view = saved_view_create(owner=tina, name="Kanal", columns=["subject", "channel", "tags", "updated"])
    html = client_as(tina).get(f"/agent/views/{view.pk}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    headers = re.findall(r'data-column="\w+">([^<]+)<', html)
    assert headers == ["Betreff", "Kanal", "Schlagwörter", "Aktualisiert"]


def test_save_as_view_from_the_current_filters(client_as, tickets, tina):
    client = client_as(tina)
    page = client.get("/agent/views/new/?tab=open&channel=phone&tags=vpn")
    assert page.status_code == 200
    assert '<option value="phone" selected>' in page.content.decode()
    response = client.post(
        "/agent/views/new/",
        {
            "name": "VPN by phone",
            "tab": "open",
            "channel": "phone",
            "tags": "vpn",
            "sort": "oldest",
            "columns": ["reference", "subject"],
        },
    )
    view = SavedView.objects.get()
    assert response.status_code == 302
    assert response.url == f"/agent/views/{view.pk}/"
    assert (view.filters, view.sort, view.columns) == (
        {"tab": "open", "channel": "phone", "tags": ["vpn"]},
        "oldest",
        ["reference", "subject"],
    )


def test_save_as_view_shows_form_errors_and_saves_nothing(client_as, tina):
    saved_view_create(owner=tina, name="Taken")
    response = client_as(tina).post(
        "/agent/views/new/", {"name": "Taken", "tab": "open", "requester": "ghost", "columns": ["subject"]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "You already have a view with this name." in html
    assert "No customer with this username or email address." in html
    assert SavedView.objects.count() == 1


def test_edit_renames_changes_columns_and_supervisors_share(client_as, sam, tina, service_desk):
    view = saved_view_create(owner=sam, name="Old")
    client = client_as(sam)
    assert "Share with teams" in client.get(f"/agent/views/{view.pk}/edit/").content.decode()
    response = client.post(
        f"/agent/views/{view.pk}/edit/",
        {
            "name": "New",
            "tab": "team",
            "sort": "priority",
            "columns": ["subject", "due"],
            "shared_with_teams": [service_desk.pk],
        },
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.filters, view.sort, view.columns) == (
        "New",
        {"tab": "team"},
        "priority",
        ["subject", "due"],
    )
    assert list(view.shared_with_teams.all()) == [service_desk]
    # an agent's edit page has no sharing
    own = saved_view_create(owner=tina, name="Mine")
    assert "Share with teams" not in client_as(tina).get(f"/agent/views/{own.pk}/edit/").content.decode()


def test_delete_asks_and_can_be_undone_with_its_sharing(client_as, sam, service_desk):
    view = saved_view_create(owner=sam, name="Breached", shared_with_teams=[service_desk])
    client = client_as(sam)
    assert "Delete view “Breached”?" in client.get(f"/agent/views/{view.pk}/delete/").content.decode()
    response = client.post(f"/agent/views/{view.pk}/delete/", follow=True)
    assert not SavedView.objects.exists()
    token = re.search(r'action="/agent/undo/([^/]+)/"', response.content.decode()).group(1)
    client.post(f"/agent/undo/{token}/")
    restored = SavedView.objects.get(pk=view.pk)
    assert list(restored.shared_with_teams.all()) == [service_desk]


def test_who_may_open_and_change_which_view(client_as, tina, nick, sam, alice, service_desk):
    private = saved_view_create(owner=nick, name="Nick's")
    shared = saved_view_create(owner=sam, name="Shared", shared_with_teams=[service_desk])
    client = client_as(tina)
    for url in (
        f"/agent/views/{private.pk}/",
        f"/agent/views/{private.pk}/edit/",
        f"/agent/views/{private.pk}/delete/",
    ):
        assert client.get(url).status_code == 404
    assert client.get(f"/agent/views/{shared.pk}/").status_code == 200
    assert client.get(f"/agent/views/{shared.pk}/edit/").status_code == 403
    assert client.post(f"/agent/views/{shared.pk}/delete/").status_code == 403
    assert client_as(alice).get(f"/agent/views/{shared.pk}/").status_code == 403
    assert SavedView.objects.count() == 2


def test_the_queue_filters_by_the_new_fields(client_as, tickets, tina):
    client = client_as(tina)
    html = client.get("/agent/?tab=open&channel=phone").content.decode()
    assert "VPN drops" in html
    assert "Printer jams" not in html
    html = client.get("/agent/?tab=open&requester=bob").content.decode()
    assert "Printer jams" in html
    assert "VPN drops" not in html
    html = client.get("/agent/?tab=open&status=any&tags=vpn").content.decode()
    assert "VPN drops" in html
    assert "Mailbox full" not in html
    html = client.get("/agent/?tab=open&status=any&created_after=2999-01-01").content.decode()
    assert "No tickets here" in html
    # an unknown requester is shown as an error on its field; the other filters still apply
    html = client.get("/agent/?tab=open&requester=ghost&channel=web").content.decode()
    assert "No customer with this username or email address." in html
    assert "Printer jams" in html
    assert "VPN drops" not in html
    assert '<details class="more-filters" id="more-filters" open>' in html


def test_a_search_views_count_comes_after_the_page(client_as, tickets, tina, nick):
    view = saved_view_create(owner=tina, name="Paper", filters={"q": "paper"})
    client = client_as(tina)
    html = client.get("/agent/?tab=open").content.decode()
    assert f'hx-get="/agent/views/{view.pk}/count/"' in html
    fragment = client.get(f"/agent/views/{view.pk}/count/").content.decode()
    assert ">1</span>" in fragment
    assert "hx-get" not in fragment
    # counted once, it comes from the cache with the page
    assert f'hx-get="/agent/views/{view.pk}/count/"' not in client.get("/agent/?tab=open").content.decode()
    assert client_as(nick).get(f"/agent/views/{view.pk}/count/").status_code == 404


def test_a_views_later_pages_keep_it_unchanged(client_as, bob, tina, service_desk, settings):
    settings.HELPDESK_QUEUE_PAGE_SIZE = 2
    for n in range(3):
        make_ticket(bob, subject=f"Printer {n}")
    view = saved_view_create(owner=tina, name="Printers", filters={"q": "printer"})
    client = client_as(tina)
    first = client.get(f"/agent/views/{view.pk}/")
    next_query = first.context["next_query"]
    later = client.get(f"/agent/views/{view.pk}/?{next_query}").content.decode()
    assert "Printer 0" in later
    assert "Edit view" in later
    assert "Save filters to this view" not in later

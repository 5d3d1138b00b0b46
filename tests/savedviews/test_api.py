"""``/api/v1/views/``: CRUD of one's own views, read of shared ones, the view's tickets with the ticket
list's serializer and pagination plus a capped count; permissions and bad input."""

from __future__ import annotations

import pytest

from savedviews import selectors
from savedviews.models import SavedView
from savedviews.services import saved_view_create
from tests.api.conftest import make_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/views/"


def test_an_agent_creates_lists_renames_and_deletes_a_view(api_as, tina, alice):
    api = api_as(tina)
    response = api.post(
        URL,
        {
            "name": "Alice's phone calls",
            "filters": {"channel": "phone", "requester": "alice"},
            "sort": "updated",
            "columns": ["subject", "reference", "channel"],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["filters"] == {"tab": "open", "channel": "phone", "requester": alice.pk}
    assert body["columns"] == ["reference", "subject", "channel"]  # in the fixed order
    assert body["mine"] is True
    assert body["owner_name"] == "Tina"
    view_url = f"{URL}{body['id']}/"
    assert [v["name"] for v in api.get(URL).json()] == ["Alice's phone calls"]
    assert api.patch(view_url, {"name": "Calls"}, format="json").json()["name"] == "Calls"
    assert api.delete(view_url).status_code == 204
    assert not SavedView.objects.exists()


def test_invalid_input_is_a_400_with_field_errors_and_saves_nothing(api_as, tina, service_desk):
    api = api_as(tina)
    response = api.post(
        URL,
        {"name": "Bad", "filters": {"tier": "9", "created_after": "yesterday", "shoe_size": 42}},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["filters"]) == {"tier", "created_after", "shoe_size"}
    response = api.post(URL, {"name": "Bad", "columns": ["password"]}, format="json")
    assert response.status_code == 400
    assert "columns" in response.json()
    response = api.post(URL, {"name": "Shared", "shared_with_teams": [service_desk.pk]}, format="json")
    assert response.status_code == 400
    assert "shared_with_teams" in response.json()
    assert not SavedView.objects.exists()
    view = saved_view_create(owner=tina, name="Good", filters={"tier": 1})
    response = api.patch(f"{URL}{view.pk}/", {"filters": {"tier": "0"}}, format="json")
    assert response.status_code == 400
    assert "tier" in response.json()["filters"]
    assert SavedView.objects.get(pk=view.pk).filters == {"tab": "open", "tier": 1}


def test_a_supervisor_shares_a_view_and_the_team_reads_it_only(api_as, sam, tina, nick, service_desk):
    response = api_as(sam).post(
        URL,
        {"name": "Breached", "filters": {"sla_state": "breached"}, "shared_with_teams": [service_desk.pk]},
        format="json",
    )
    assert response.status_code == 201
    view_url = f"{URL}{response.json()['id']}/"
    tina_api = api_as(tina)
    listed = tina_api.get(URL).json()
    assert [(v["name"], v["mine"], v["owner_name"]) for v in listed] == [("Breached", False, "Sam")]
    assert tina_api.get(view_url).status_code == 200
    assert tina_api.patch(view_url, {"name": "Mine"}, format="json").status_code == 403
    assert tina_api.delete(view_url).status_code == 403
    assert tina_api.get(f"{view_url}tickets/").status_code == 200
    # nick's team has it not: for him it does not exist
    assert api_as(nick).get(view_url).status_code == 404
    assert api_as(nick).get(URL).json() == []


def test_another_agents_private_view_is_a_404_everywhere(api_as, tina, nick):
    view = saved_view_create(owner=tina, name="Private")
    api = api_as(nick)
    for response in (
        api.get(f"{URL}{view.pk}/"),
        api.patch(f"{URL}{view.pk}/", {"name": "x"}, format="json"),
        api.delete(f"{URL}{view.pk}/"),
        api.get(f"{URL}{view.pk}/tickets/"),
    ):
        assert response.status_code == 404
    assert SavedView.objects.get(pk=view.pk).name == "Private"


def test_customers_and_anonymous_callers_get_nothing(api_as, alice, tina):
    view = saved_view_create(owner=tina, name="Private")
    for user in (alice, None):
        api = api_as(user)
        assert api.get(URL).status_code in (401, 403)
        assert api.post(URL, {"name": "x"}, format="json").status_code in (401, 403)
        assert api.get(f"{URL}{view.pk}/tickets/").status_code in (401, 403)


def test_a_views_tickets_are_the_ticket_lists_with_the_count(api_as, tickets, tina):
    view = saved_view_create(owner=tina, name="Open", sort="oldest")
    api = api_as(tina)
    body = api.get(f"{URL}{view.pk}/tickets/").json()
    assert body["count"] == 2
    assert body["count_capped"] is False
    assert [t["id"] for t in body["results"]] == [tickets["vpn"].pk, tickets["printer"].pk]
    same = api.get("/api/v1/tickets/?status=open&status=new&ordering=id").json()["results"]
    assert body["results"] == same  # the same serializer
    assert set(body) == {"count", "count_capped", "next", "previous", "results"}


def test_the_tickets_list_pages_with_a_cursor_and_caps_the_count(
    api_as, bob, tina, service_desk, monkeypatch
):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    made = [make_ticket(bob, subject=f"Ticket {n}").pk for n in range(5)]
    view = saved_view_create(owner=tina, name="Open")
    api = api_as(tina)
    first = api.get(f"{URL}{view.pk}/tickets/?page_size=3").json()
    assert (first["count"], first["count_capped"]) == (3, True)
    second = api.get(first["next"]).json()
    assert [t["id"] for t in first["results"] + second["results"]] == sorted(made, reverse=True)


def test_the_view_list_and_tickets_take_few_queries(
    api_as, tickets, tina, sam, service_desk, django_assert_max_num_queries
):
    for n in range(5):
        saved_view_create(owner=tina, name=f"View {n}", filters={"status": "any"})
        saved_view_create(owner=sam, name=f"Shared {n}", shared_with_teams=[service_desk])
    api = api_as(tina)
    with django_assert_max_num_queries(3):  # the views, their teams (+ the session-less auth)
        assert len(api.get(URL).json()) == 10
    view = SavedView.objects.filter(owner=tina).first()
    with django_assert_max_num_queries(4):  # the view, its count, the page, the page's tags
        assert api.get(f"{URL}{view.pk}/tickets/").status_code == 200


def test_the_ticket_api_filters_by_tags_and_update_time(api_as, tickets, tina):
    api = api_as(tina)
    ids = [t["id"] for t in api.get("/api/v1/tickets/?tags=vpn,other").json()["results"]]
    assert ids == [tickets["vpn"].pk]
    assert api.get("/api/v1/tickets/?updated_after=2999-01-01").json()["results"] == []
    assert len(api.get("/api/v1/tickets/?updated_before=2999-01-01").json()["results"]) == 3
    assert api.get("/api/v1/tickets/?updated_after=soon").status_code == 400


@pytest.mark.parametrize("sort", ["newest", "resolution_due", "priority"])
def test_previous_leads_back_page_by_page(api_as, bob, tina, service_desk, sort):
    made = [make_ticket(bob, subject=f"Ticket {n}").pk for n in range(7)]
    # some without a due time (they sort last), some sharing a priority
    Ticket.objects.filter(pk__in=made[:3]).update(resolution_due=None, priority="P1")
    view = saved_view_create(owner=tina, name="Open", sort=sort)
    api = api_as(tina)
    pages = [api.get(f"{URL}{view.pk}/tickets/?page_size=3").json()]
    while pages[-1]["next"]:
        pages.append(api.get(pages[-1]["next"]).json())
    forward = [[t["id"] for t in p["results"]] for p in pages]
    assert sorted(sum(forward, [])) == sorted(made)
    assert pages[0]["previous"] is None
    # when: following previous from the last page
    back = [pages[-1]]
    while back[-1]["previous"]:
        back.append(api.get(back[-1]["previous"]).json())
    assert [[t["id"] for t in p["results"]] for p in reversed(back)] == forward

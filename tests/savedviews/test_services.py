"""Saved views' services and selectors: validation (nothing saved on bad input), sharing, every queue
filter a view can hold, and the capped, cached counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from savedviews import selectors
from savedviews.models import SavedView
from savedviews.selectors import saved_view_counts, saved_view_tickets_qs, saved_view_visible_qs
from savedviews.services import SavedViewInvalid, saved_view_create, saved_view_delete, saved_view_update
from tests.api.conftest import make_ticket
from tests.factories import CategoryFactory, UserFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _ids(view, user) -> set[int]:  # noqa: ANN001
    return set(saved_view_tickets_qs(view=view, user=user).values_list("pk", flat=True))


def test_it_refuses_invalid_filters_sort_columns_and_names_and_saves_nothing(tina):
    with pytest.raises(SavedViewInvalid) as exc:
        saved_view_create(
            owner=tina,
            name=" ",
            filters={"tier": "7", "colour": "red", "requester": "nobody@example.com"},
            sort="sideways",
            columns=["subject", "salary"],
        )
    errors = exc.value.errors
    assert set(errors) == {"filters", "sort", "columns", "name"}
    assert set(errors["filters"]) == {"tier", "colour", "requester"}
    assert "salary" in errors["columns"][0]
    assert not SavedView.objects.exists()


def test_names_are_unique_per_owner_only(tina, nick):
    saved_view_create(owner=tina, name="Mine")
    saved_view_create(owner=nick, name="Mine")
    with pytest.raises(SavedViewInvalid) as exc:
        saved_view_create(owner=tina, name="Mine")
    assert "name" in exc.value.errors
    assert SavedView.objects.count() == 2


def test_only_supervisors_share_views(tina, sam, service_desk):
    with pytest.raises(SavedViewInvalid) as exc:
        saved_view_create(owner=tina, name="Mine", shared_with_teams=[service_desk])
    assert "shared_with_teams" in exc.value.errors
    view = saved_view_create(owner=sam, name="Breached", shared_with_teams=[service_desk])
    assert list(view.shared_with_teams.all()) == [service_desk]


def test_a_shared_view_is_seen_by_the_team_and_changed_by_its_owner_only(tina, nick, sam, service_desk):
    shared = saved_view_create(owner=sam, name="Breached", shared_with_teams=[service_desk])
    private = saved_view_create(owner=sam, name="Private")
    assert set(saved_view_visible_qs(user=tina)) == {shared}  # tina is in the Service Desk
    assert set(saved_view_visible_qs(user=nick)) == set()  # nick is not
    with pytest.raises(PermissionDenied):
        saved_view_update(view=shared, by=tina, name="Mine now")
    with pytest.raises(PermissionDenied):
        saved_view_delete(view=shared, by=tina)
    saved_view_update(view=private, by=sam, name="Renamed")
    assert SavedView.objects.get(pk=private.pk).name == "Renamed"


def test_customers_see_no_views(alice, sam, service_desk):
    saved_view_create(owner=sam, name="Breached", shared_with_teams=[service_desk])
    assert not saved_view_visible_qs(user=alice).exists()


def test_filters_are_stored_as_plain_values(tina, alice):
    view = saved_view_create(
        owner=tina,
        name="Alice's VPN",
        filters={
            "requester": "alice",
            "tags": ["VPN", " urgent "],
            "created_after": "2026-01-02",
            "tier": "1",
        },
    )
    assert view.filters == {
        "tab": "open",
        "requester": alice.pk,
        "tags": ["urgent", "vpn"],
        "created_after": "2026-01-02",
        "tier": 1,
    }
    # the stored values are accepted again as they are (the API returns them so)
    saved_view_update(view=view, by=tina, filters=view.filters)


def test_every_queue_filter_narrows_the_view(tickets, tina, nick, alice, bob, service_desk, network_team):
    vpn, printer, mail = tickets["vpn"], tickets["printer"], tickets["mail"]
    category = CategoryFactory(name="Printing")
    Ticket.objects.filter(pk=printer.pk).update(
        category=category, sla_state="breached", team=network_team, tier=2, urgency="high"
    )
    Ticket.objects.filter(pk=vpn.pk).update(
        created_at=timezone.now() - timedelta(days=10), updated_at=timezone.now() - timedelta(days=9)
    )
    today = timezone.localdate().isoformat()
    cases = [
        ({}, {vpn.pk, printer.pk}),  # open ones only, by default
        ({"status": "any"}, {vpn.pk, printer.pk, mail.pk}),
        ({"status": "resolved"}, {mail.pk}),
        ({"tier": 2}, {printer.pk}),
        ({"team": network_team.pk}, {printer.pk}),
        ({"assignee": tina.pk}, {vpn.pk}),
        ({"priority": "P2"}, {vpn.pk}),
        ({"category": category.pk}, {printer.pk}),
        ({"channel": "phone"}, {vpn.pk}),
        ({"tags": "vpn"}, {vpn.pk}),
        ({"sla_state": "breached"}, {printer.pk}),
        ({"requester": "bob"}, {printer.pk}),
        ({"created_before": today}, {vpn.pk}),
        ({"created_after": today}, {printer.pk}),
        ({"updated_after": today}, {printer.pk}),
        ({"updated_before": today}, {vpn.pk}),
        ({"q": "paper"}, {printer.pk}),
        ({"tab": "mine"}, {vpn.pk}),
        ({"tab": "unassigned"}, {printer.pk}),
    ]
    for i, (filters, expected) in enumerate(cases):
        view = saved_view_create(owner=tina, name=f"case {i}", filters=filters)
        assert _ids(view, tina) == expected, filters


def test_mine_means_the_viewer_in_a_shared_view(tickets, tina, sam, service_desk):
    view = saved_view_create(
        owner=sam, name="Mine", filters={"tab": "mine"}, shared_with_teams=[service_desk]
    )
    assert _ids(view, tina) == {tickets["vpn"].pk}
    assert _ids(view, sam) == set()


def test_counts_come_in_one_query_capped_and_cached(tickets, tina, bob, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for n in range(3):
        make_ticket(bob, subject=f"Another {n}")
    everything = saved_view_create(owner=tina, name="All", filters={"status": "any"})
    phone = saved_view_create(owner=tina, name="Phone", filters={"channel": "phone"})
    with CaptureQueriesContext(connection) as queries:
        counts = saved_view_counts(views=[everything, phone], user=tina)
    assert len(queries) == 1
    assert (counts[everything.pk].value, counts[everything.pk].capped) == (2, True)
    assert counts[everything.pk].label == "2+"
    assert (counts[phone.pk].value, counts[phone.pk].capped) == (1, False)
    # when: asked again within the cache's lifetime: no query
    with CaptureQueriesContext(connection) as queries:
        again = saved_view_counts(views=[everything, phone], user=tina)
    assert len(queries) == 0
    assert again == counts
    # a changed view is counted afresh
    phone = saved_view_update(view=phone, by=tina, filters={"channel": "email"})
    assert saved_view_counts(views=[phone], user=tina)[phone.pk].value == 0


def test_a_thousand_and_more_is_shown_as_such(tina):
    count = selectors.ViewCount(1000, True)
    assert count.label == "1,000+"
    assert "1,000" in count.title
    assert selectors.ViewCount(12, False).title == ""


def test_another_agents_user_cannot_be_a_requester_filter(tina, nick):
    UserFactory(username="carl")  # a customer
    with pytest.raises(SavedViewInvalid) as exc:
        saved_view_create(owner=tina, name="Nick", filters={"requester": "nick"})
    assert "requester" in exc.value.errors["filters"]


def test_a_view_of_a_tag_nobody_uses_counts_zero(tickets, tina):
    unused = saved_view_create(owner=tina, name="Unused", filters={"tags": "never-used"})
    used = saved_view_create(owner=tina, name="VPN", filters={"tags": "vpn"})
    counts = saved_view_counts(views=[unused, used], user=tina)
    assert (counts[unused.pk].value, counts[used.pk].value) == (0, 1)
    assert _ids(unused, tina) == set()

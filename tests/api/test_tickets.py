from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import make_ticket
from tests.factories import CategoryFactory, UserFactory
from tickets import services
from tickets.models import IdempotencyKey, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"

API_FIELDS = {
    "id", "reference", "subject", "description", "requester", "channel", "category", "impact", "urgency",
    "priority", "status", "tier", "team", "assignee", "created_at", "updated_at", "first_response_due",
    "resolution_due", "first_response_at", "resolved_at", "sla_state", "escalation_count", "reopen_count",
}  # fmt: skip


def _ids(response) -> list[int]:  # noqa: ANN001
    return [t["id"] for t in response.json()["results"]]


# --- create ---------------------------------------------------------------------------------------


def test_a_customer_submits_a_ticket_that_starts_at_tier_1_with_the_path_team(
    api_as, alice, network_category, service_desk
):
    # when
    response = api_as(alice).post(
        URL,
        {"subject": "VPN drops", "description": "Every 5 min", "category": network_category.pk, "impact": "high",
         "urgency": "high"},
        format="json",
    )  # fmt: skip
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= API_FIELDS
    assert body["reference"] == f"HD-{body['id']:06d}"
    assert (body["tier"], body["status"], body["team"], body["priority"]) == (1, "new", service_desk.pk, "P1")
    assert body["requester"] == alice.pk


def test_fields_a_customer_may_not_set_are_never_applied(
    api_as, alice, bob, tina, network_team, service_desk
):
    # when
    response = api_as(alice).post(
        URL,
        {
            "subject": "Help",
            "description": "Please",
            "tier": 3,
            "team": network_team.pk,
            "assignee": tina.pk,
            "priority": "P1",
            "status": "resolved",
            "requester": bob.pk,
            "channel": "phone",
            "sla_state": "breached",
            "resolution_due": "2000-01-01T00:00:00Z",
            "escalation_count": 9,
            "reopen_count": 9,
            "tags": ["vip"],
            "id": 424242,
        },
        format="json",
    )
    # then
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.pk != 424242
    assert (ticket.tier, ticket.team, ticket.assignee, ticket.priority, ticket.status) == (
        1, service_desk, None, "P3", "new"
    )  # fmt: skip
    assert (ticket.requester, ticket.channel, ticket.sla_state, ticket.resolution_due) == (
        alice,
        "api",
        "ok",
        None,
    )
    assert (ticket.escalation_count, ticket.reopen_count, list(ticket.tags.all())) == (0, 0, [])


def test_an_agent_logs_a_phone_call_on_behalf_of_a_customer(api_as, tina, alice, service_desk):
    response = api_as(tina).post(
        URL,
        {"subject": "Called: VPN", "description": "Customer on the phone", "requester": alice.pk,
         "channel": "phone", "tags": ["vpn"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel) == (alice, "phone")
    assert response.json()["tags"] == ["vpn"]
    assert ticket.events.get(kind="created").actor == tina


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "no subject"}, "subject"),
        ({"subject": "no description"}, "description"),
        ({"subject": "", "description": "x"}, "subject"),
        ({"subject": "x" * 201, "description": "x"}, "subject"),
        ({"subject": "x", "description": "x" * 50_001}, "description"),
        ({"subject": "x", "description": "x", "impact": 5}, "impact"),
        ({"subject": "x", "description": "x", "urgency": "extreme"}, "urgency"),
        ({"subject": "x", "description": "x", "category": 999999}, "category"),
        ({"subject": "x", "description": "x", "category": "net"}, "category"),
        ({"subject": ["x"], "description": "x"}, "subject"),
    ],
)
def test_bad_input_is_a_field_error_and_creates_nothing(api_as, alice, service_desk, body, field):
    response = api_as(alice).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_an_agent_cannot_file_for_an_unknown_requester(api_as, tina):
    response = api_as(tina).post(
        URL, {"subject": "s", "description": "d", "requester": 999999}, format="json"
    )
    assert response.status_code == 400
    assert "requester" in response.json()


def test_a_body_that_is_not_json_is_400(api_as, alice):
    response = api_as(alice).post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Ticket.objects.exists()


# --- idempotency ----------------------------------------------------------------------------------


def test_the_same_idempotency_key_returns_the_first_response_and_creates_nothing(api_as, alice, service_desk):
    client = api_as(alice)
    first = client.post(
        URL, {"subject": "Once", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        URL, {"subject": "Twice", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Ticket.objects.count() == 1
    other = client.post(
        URL, {"subject": "Other", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert other.json()["id"] != first.json()["id"]
    assert Ticket.objects.count() == 2


def test_idempotency_keys_belong_to_one_user(api_as, alice, bob, service_desk):
    mine = api_as(alice).post(
        URL, {"subject": "A", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    theirs = api_as(bob).post(
        URL, {"subject": "B", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["requester"] == bob.pk


def test_an_invalid_request_does_not_use_up_the_key(api_as, alice, service_desk):
    client = api_as(alice)
    bad = client.post(URL, {"subject": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = client.post(URL, {"subject": "A", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


def test_an_overlong_idempotency_key_is_400(api_as, alice, service_desk):
    response = api_as(alice).post(
        URL, {"subject": "A", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


# --- list, filters, ordering, pagination ----------------------------------------------------------


def test_customers_list_only_their_own_tickets_agents_all(api_as, alice, bob, tina, alice_ticket, bob_ticket):
    assert _ids(api_as(alice).get(URL)) == [alice_ticket.pk]
    assert _ids(api_as(bob).get(URL)) == [bob_ticket.pk]
    assert _ids(api_as(tina).get(URL)) == [bob_ticket.pk, alice_ticket.pk]


def test_a_customer_filtering_by_someone_elses_requester_gets_nothing(
    api_as, alice, bob, alice_ticket, bob_ticket
):
    assert _ids(api_as(alice).get(URL, {"requester": bob.pk})) == []


def test_customers_never_see_sla_internals(api_as, alice, tina, alice_ticket):
    Ticket.objects.filter(pk=alice_ticket.pk).update(
        sla_state="breached", resolution_due=timezone.now(), first_response_due=timezone.now()
    )
    mine = api_as(alice).get(f"{URL}{alice_ticket.pk}/").json()
    assert (mine["sla_state"], mine["resolution_due"], mine["first_response_due"]) == (None, None, None)
    assert api_as(tina).get(f"{URL}{alice_ticket.pk}/").json()["sla_state"] == "breached"
    # nor can they probe it through the filter
    assert _ids(api_as(alice).get(URL, {"sla_state": "ok"})) == [alice_ticket.pk]
    assert _ids(api_as(tina).get(URL, {"sla_state": "ok"})) == []


@pytest.fixture
def assorted(alice, bob, tina, nick, network_category, service_desk, network_team):  # noqa: ANN001
    """Four tickets that differ in every filterable field."""
    t1 = make_ticket(alice, subject="VPN drops", category=network_category, impact="high", urgency="high")
    t2 = make_ticket(bob, subject="Printer jams", description="paper everywhere", impact="low", urgency="low")
    t3 = services.ticket_create(
        requester=alice, by=tina, subject="Phone call", description="d", channel="phone"
    )
    t4 = make_ticket(bob, subject="Mail", description="Outlook")
    services.ticket_update(ticket=t2, by=tina, assignee=tina)
    Ticket.objects.filter(pk=t4.pk).update(tier=2, team=network_team, sla_state="warning")
    Ticket.objects.filter(pk=t3.pk).update(created_at=timezone.now() - timedelta(days=10))
    return t1, t2, t3, t4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, [1]),
        ({"status": ["new", "open"]}, [3, 2, 1, 0]),
        ({"tier": 2}, [3]),
        ({"team": "network"}, [3]),
        ({"assignee": "tina"}, [1]),
        ({"unassigned": "true"}, [3, 2, 0]),
        ({"priority": "P1"}, [0]),
        ({"priority": "P4"}, [1]),
        ({"category": "network"}, [0]),
        ({"channel": "phone"}, [2]),
        ({"requester": "bob"}, [3, 1]),
        ({"sla_state": "warning"}, [3]),
        ({"created_before": "days_ago_5"}, [2]),
        ({"created_after": "days_ago_5"}, [3, 1, 0]),
        ({"created_before": "date_5_days_ago"}, [2]),
        ({"created_after": "date_5_days_ago"}, [3, 1, 0]),
        ({"created_after": "tomorrow"}, []),
        ({"q": "printer"}, [1]),
        ({"q": "PAPER"}, [1]),
        ({"q": "outlook"}, [3]),
        ({"status": "new", "requester": "alice"}, [2, 0]),
    ],
)
def test_agents_filter_the_list(
    api_as, tina, assorted, network_team, network_category, bob, alice, params, expected
):
    # given: symbolic values resolved to this test's ids
    symbols = {
        "network": network_team.pk if "team" in params else network_category.pk,
        "tina": tina.pk,
        "bob": bob.pk,
        "alice": alice.pk,
        "days_ago_5": (timezone.now() - timedelta(days=5)).isoformat(),
        "date_5_days_ago": (timezone.localdate() - timedelta(days=5)).isoformat(),
        "tomorrow": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    query = {k: symbols.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    # when
    response = api_as(tina).get(URL, query)
    # then
    assert response.status_code == 200, response.json()
    assert _ids(response) == [assorted[i].pk for i in expected]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"tier": 7},
        {"priority": "P9"},
        {"created_after": "yesterday"},
        {"created_before": "2026-13-45"},
        {"team": "x"},
    ],
)
def test_invalid_filter_values_are_400(api_as, tina, params):
    response = api_as(tina).get(URL, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_q_searches_public_messages_and_internal_notes_only_for_agents(api_as, alice, tina, alice_ticket):
    # given
    services.message_add(ticket=alice_ticket, author=tina, body="Replaced the switch", internal=False)
    services.message_add(ticket=alice_ticket, author=tina, body="Customer seems grumpy", internal=True)
    # then
    assert _ids(api_as(alice).get(URL, {"q": "switch"})) == [alice_ticket.pk]
    assert _ids(api_as(tina).get(URL, {"q": "grumpy"})) == [alice_ticket.pk]
    assert _ids(api_as(alice).get(URL, {"q": "grumpy"})) == []


def test_q_is_length_capped(api_as, tina, settings):
    response = api_as(tina).get(URL, {"q": "x" * (settings.HELPDESK_MAX_SEARCH_CHARS + 1)})
    assert response.status_code == 400
    assert "q" in response.json()


def test_ordering_by_an_allowlisted_field(api_as, tina, assorted):
    response = api_as(tina).get(URL, {"ordering": "created_at"})
    assert _ids(response)[0] == assorted[2].pk
    response = api_as(tina).get(URL, {"ordering": "-priority"})
    assert [t["priority"] for t in response.json()["results"]] == ["P4", "P3", "P3", "P1"]


@pytest.mark.parametrize(
    "ordering", ["requester__password", "-requester__password", "requester__email", "subject"]
)
def test_ordering_outside_the_allowlist_has_no_effect(api_as, tina, assorted, ordering):
    default = _ids(api_as(tina).get(URL))
    response = api_as(tina).get(URL, {"ordering": ordering})
    assert response.status_code == 200
    assert _ids(response) == default


def _walk(client, url: str, params: dict) -> list[int]:  # noqa: ANN001
    ids: list[int] = []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        ids += [t["id"] for t in body["results"]]
        if not body["next"]:
            return ids
        response = client.get(body["next"])


@pytest.mark.parametrize(
    "ordering", ["-id", "priority", "-priority", "resolution_due", "-first_response_due"]
)
def test_cursor_pages_cover_every_ticket_once_whatever_the_ordering(
    api_as, tina, alice, service_desk, ordering
):
    # given: due times on some tickets only (NULLs in the sort key), repeated priorities
    tickets = [make_ticket(alice, subject=f"T{n}", impact=["low", "high"][n % 2]) for n in range(7)]
    for n, ticket in enumerate(tickets[:4]):
        due = timezone.now() + timedelta(hours=n % 2)
        Ticket.objects.filter(pk=ticket.pk).update(resolution_due=due, first_response_due=due)
    # when
    ids = _walk(api_as(tina), URL, {"ordering": ordering, "page_size": 2})
    # then
    assert sorted(ids) == sorted(t.pk for t in tickets)


def test_page_size_is_capped_at_100(api_as, tina, alice):
    Ticket.objects.bulk_create(
        [Ticket(subject=f"T{n}", description="d", requester=alice) for n in range(105)]
    )
    response = api_as(tina).get(URL, {"page_size": 1000})
    assert len(response.json()["results"]) == 100
    assert response.json()["next"]


# --- detail and triage ----------------------------------------------------------------------------


def test_retrieve_own_ticket_and_404_for_others_and_unknown(api_as, alice, bob, alice_ticket):
    assert api_as(alice).get(f"{URL}{alice_ticket.pk}/").json()["subject"] == "Alice's VPN drops"
    assert api_as(bob).get(f"{URL}{alice_ticket.pk}/").status_code == 404
    assert api_as(alice).get(f"{URL}999999/").status_code == 404
    assert api_as(alice).get(f"{URL}abc/").status_code == 404


def test_an_agent_triages_a_ticket(api_as, tina, nick, alice_ticket, network_category):
    # when
    response = api_as(tina).patch(
        f"{URL}{alice_ticket.pk}/",
        {"category": network_category.pk, "impact": "high", "urgency": "high", "assignee": tina.pk,
         "status": "pending", "tags": ["vpn"]},
        format="json",
    )  # fmt: skip
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["priority"], body["assignee"], body["status"], body["tags"]) == (
        "P1",
        tina.pk,
        "pending",
        ["vpn"],
    )
    kinds = set(alice_ticket.events.values_list("kind", flat=True))
    assert {"category", "impact", "urgency", "priority", "assignee", "status", "tags"} <= kinds
    assert set(alice_ticket.events.exclude(kind="created").values_list("actor", flat=True)) == {tina.pk}


def test_a_priority_override_by_an_agent_sticks(api_as, tina, alice_ticket):
    api_as(tina).patch(f"{URL}{alice_ticket.pk}/", {"priority": "P1"}, format="json")
    response = api_as(tina).patch(f"{URL}{alice_ticket.pk}/", {"impact": "low"}, format="json")
    assert response.json()["priority"] == "P1"


def test_patch_cannot_resolve_and_impossible_transitions_are_409(api_as, tina, alice_ticket):
    client = api_as(tina)
    resolve = client.patch(f"{URL}{alice_ticket.pk}/", {"status": "resolved"}, format="json")
    assert resolve.status_code == 400
    assert "status" in resolve.json()
    assert client.patch(f"{URL}{alice_ticket.pk}/", {"status": "closed"}, format="json").status_code == 200
    back = client.patch(f"{URL}{alice_ticket.pk}/", {"status": "open"}, format="json")
    assert back.status_code == 409
    assert "closed" in back.json()["detail"].lower()
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == "closed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assignee": 999999}, "assignee"),
        ({"assignee": "alice"}, "assignee"),
        ({"team": 999999}, "team"),
        ({"priority": "P0"}, "priority"),
        ({"status": "done"}, "status"),
        ({"impact": None}, "impact"),
        ({"tags": "notalist"}, "tags"),
        ({"version": 0}, "version"),
    ],
)
def test_bad_triage_input_is_400_and_changes_nothing(api_as, tina, alice, alice_ticket, body, field):
    if body.get("assignee") == "alice":
        body = {"assignee": alice.pk}  # a customer cannot be assigned
    before = alice_ticket.events.count()
    response = api_as(tina).patch(f"{URL}{alice_ticket.pk}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert alice_ticket.events.count() == before


def test_a_team_of_another_tier_is_refused(api_as, tina, alice_ticket, network_team):
    response = api_as(tina).patch(f"{URL}{alice_ticket.pk}/", {"team": network_team.pk}, format="json")
    assert response.status_code == 400
    assert "team" in response.json()


def test_a_change_against_an_old_version_is_409(api_as, tina, nick, alice_ticket):
    version = api_as(tina).get(f"{URL}{alice_ticket.pk}/").json()["version"]
    api_as(nick).patch(f"{URL}{alice_ticket.pk}/", {"priority": "P2"}, format="json")
    response = api_as(tina).patch(
        f"{URL}{alice_ticket.pk}/", {"priority": "P1", "version": version}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["changes"]
    alice_ticket.refresh_from_db()
    assert alice_ticket.priority == "P2"


def test_customers_may_not_patch_their_own_ticket_and_never_see_others(api_as, alice, bob, alice_ticket):
    assert (
        api_as(alice).patch(f"{URL}{alice_ticket.pk}/", {"priority": "P1"}, format="json").status_code == 403
    )
    assert api_as(bob).patch(f"{URL}{alice_ticket.pk}/", {"priority": "P1"}, format="json").status_code == 404
    alice_ticket.refresh_from_db()
    assert alice_ticket.priority == "P3"


def test_put_and_delete_are_not_offered(api_as, tina, alice_ticket):
    assert api_as(tina).put(f"{URL}{alice_ticket.pk}/", {}, format="json").status_code == 405
    assert api_as(tina).delete(f"{URL}{alice_ticket.pk}/").status_code == 405


# --- query counts ---------------------------------------------------------------------------------


def _many(n: int, requester, tina) -> None:  # noqa: ANN001
    cat = CategoryFactory()
    for i in range(n):
        ticket = make_ticket(requester, subject=f"T{i}", category=cat, tags=["a", f"t{i}"])
        services.ticket_update(ticket=ticket, by=tina, assignee=tina)


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("who", ["tina", "alice"])
def test_the_list_takes_the_same_queries_for_3_and_30_rows(
    api_as, request, django_assert_max_num_queries, alice, tina, service_desk, rows, who
):
    # given
    _many(rows, alice, tina)
    client = api_as(request.getfixturevalue(who))
    # then: one for the page, one for the tags of the page, and nothing counts the rows
    with django_assert_max_num_queries(2) as captured:
        response = client.get(URL, {"page_size": 50})
    assert len(response.json()["results"]) == rows
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


@pytest.mark.parametrize("who", ["tina", "alice"])
def test_the_detail_takes_a_fixed_number_of_queries(
    api_as, request, django_assert_max_num_queries, alice, tina, service_desk, who
):
    _many(3, alice, tina)
    ticket = Ticket.objects.first()
    with django_assert_max_num_queries(2):
        response = api_as(request.getfixturevalue(who)).get(f"{URL}{ticket.pk}/")
    assert response.status_code == 200


def test_filtered_and_searched_lists_take_no_extra_queries_per_row(
    api_as, django_assert_max_num_queries, alice, tina, service_desk
):
    _many(30, alice, tina)
    with django_assert_max_num_queries(2):
        response = api_as(tina).get(
            URL, {"status": "open", "tier": 1, "q": "T1", "ordering": "-resolution_due"}
        )
    assert response.status_code == 200


def test_an_inactive_requester_cannot_be_filed_for(api_as, tina):
    ghost = UserFactory(username="ghost", is_active=False)
    response = api_as(tina).post(
        URL, {"subject": "s", "description": "d", "requester": ghost.pk}, format="json"
    )
    assert response.status_code == 400


def test_an_oversized_body_is_413_and_creates_nothing(api_as, alice, service_desk, settings):
    body = json.dumps({"subject": "s", "description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api_as(alice).post(URL, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}
    assert not Ticket.objects.exists()


def test_a_search_never_reaches_other_customers_tickets(api_as, bob, alice_ticket, bob_ticket, tina):
    services.message_add(ticket=alice_ticket, author=tina, body="VPN gateway replaced")
    assert _ids(api_as(bob).get(URL, {"q": "VPN"})) == []
    assert _ids(api_as(bob).get(URL, {"q": "gateway"})) == []


@pytest.mark.postgres
def test_the_search_uses_the_gin_index_of_the_search_documents(tina, alice_ticket):
    # given: the planner may not fall back to scanning the table
    from django.db import connection

    from tickets.selectors import ticket_search

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    # when
    plan = ticket_search(qs=Ticket.objects.all(), user=tina, q="vpn").order_by().explain()
    # then: one index (migration 0004) holds ticket text and messages alike
    assert "ticket_search_document_gin" in plan


@pytest.mark.parametrize("q", ["&", "'", "!!", "a:*", "\\", "((", '"unclosed', "or or", "-", "ä ö ü ß", "%_"])
def test_any_search_text_is_answered_not_crashed_on(api_as, tina, alice_ticket, q):
    response = api_as(tina).get(URL, {"q": q})
    assert response.status_code == 200
    assert set(_ids(response)) <= {alice_ticket.pk}


def test_a_nul_byte_in_the_search_is_400(api_as, tina):
    response = api_as(tina).get(URL, {"q": "a\x00b"})
    assert response.status_code == 400


def test_an_expired_idempotency_key_may_be_used_afresh(api_as, alice, service_desk, settings):
    client = api_as(alice)
    first = client.post(URL, {"subject": "A", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyKey.objects.update(
        created_at=timezone.now() - settings.HELPDESK_IDEMPOTENCY_KEY_TTL - timedelta(1)
    )
    again = client.post(URL, {"subject": "A", "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    assert IdempotencyKey.objects.count() == 1


def test_the_periodic_purge_drops_only_expired_keys(api_as, alice, service_desk, settings):
    from tickets.tasks import purge_idempotency_keys

    client = api_as(alice)
    for key in ("old", "new"):
        client.post(URL, {"subject": key, "description": "d"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - settings.HELPDESK_IDEMPOTENCY_KEY_TTL - timedelta(minutes=1)
    )
    assert purge_idempotency_keys() == 1
    assert purge_idempotency_keys() == 0
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_status_and_priority_filters_do_not_make_the_list_distinct(api_as, tina, alice, service_desk):
    # DISTINCT over every column would keep PostgreSQL off the (status, tier, id) index at scale.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = api_as(tina).get(
            "/api/v1/tickets/", {"status": ["open", "new"], "priority": "P2", "tier": 2}
        )
    assert response.status_code == 200
    assert "DISTINCT" not in queries.captured_queries[0]["sql"].upper()


def test_create_reads_the_ticket_back_without_joins_and_skips_what_sends_no_mail(
    api_as, django_assert_max_num_queries, service_desk
):
    # given: a customer without an address (no receipt goes out) and an agent in the receiving team
    quiet = UserFactory(username="quiet", email="")
    UserFactory(role="agent", teams=[service_desk])
    # when
    with django_assert_max_num_queries(14) as captured:
        response = api_as(quiet).post(URL, {"subject": "Printer", "description": "Blank."}, format="json")
    # then: no receipt row (and no due-time re-read for it); the response needs no joins but the tags'
    assert response.status_code == 201
    read_back = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "tickets_ticket"."id"')
    ]
    assert len(read_back) == 1
    assert "JOIN" not in read_back[0]
    assert not any('notifications_notification"' in q["sql"] for q in captured.captured_queries)

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import TicketFactory
from tests.reporting.conftest import MARCH_PARAMS, card_html, csv_rows
from tests.reporting.test_metrics import EXPECTED

pytestmark = pytest.mark.django_db
RATES = [k for k, v in EXPECTED.items() if isinstance(v, dict)]


def test_the_page_shows_every_rate_as_numerator_over_denominator(march, sam_client) -> None:
    response = sam_client.get("/dashboard/", MARCH_PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    for key in RATES:
        card = card_html(html, key)
        numerator = re.search(r'class="rep-num"[^>]*>(\d+)</a>', card).group(1)
        denominator = re.search(r'class="rep-den"[^>]*>(\d+)</a>', card).group(1)
        assert (int(numerator), int(denominator)) == (
            EXPECTED[key]["numerator"],
            EXPECTED[key]["denominator"],
        ), key
    assert re.search(r'class="rep-num"[^>]*>11</a>', card_html(html, "created"))
    assert re.search(r'class="rep-num"[^>]*>0</a>', card_html(html, "deflections"))
    # the definition is stated on the page
    assert "at most one public agent response" in card_html(html, "fcr")


def test_each_number_links_to_the_tickets_behind_it(march, sam_client) -> None:
    html = sam_client.get("/dashboard/", MARCH_PARAMS).content.decode()
    link = re.search(r'class="rep-num" href="([^"]+)"', card_html(html, "fcr")).group(1).replace("&amp;", "&")
    assert "metric=fcr" in link
    listing = sam_client.get(link)
    assert listing.status_code == 200
    refs = set(re.findall(r"HD-\d{6}", listing.content.decode()))
    assert refs == {march.first_contact.reference, march.phone.reference, march.late_evening.reference}


@pytest.mark.parametrize("metric", RATES)
def test_the_ticket_csv_has_the_numerator_and_denominator_rows(march, sam_client, metric: str) -> None:
    for part in ("numerator", "denominator"):
        rows = csv_rows(sam_client.get("/dashboard/tickets/", {**MARCH_PARAMS, "metric": metric, "part": part,
                                                          "format": "csv"}))  # fmt: skip
        assert rows[0][0] == "reference"
        assert len(rows) - 1 == EXPECTED[metric][part], (metric, part)


def test_the_summary_csv_has_the_same_numbers(march, sam_client) -> None:
    rows = csv_rows(sam_client.get("/dashboard/export/summary.csv", MARCH_PARAMS))
    by_metric = {row[0]: row for row in rows[1:]}
    for key in RATES:
        assert (int(by_metric[key][1]), int(by_metric[key][2])) == (
            EXPECTED[key]["numerator"],
            EXPECTED[key]["denominator"],
        ), key
    assert by_metric["deflections.count"][4] == "0"
    assert by_metric["escalated_solved_with_existing_article"][1:3] == ["0", "3"]
    assert by_metric["csat.mean"][4] == "3.5"


def test_table_csvs(march, sam_client) -> None:
    agents = csv_rows(sam_client.get("/dashboard/export/agents.csv", MARCH_PARAMS))
    assert agents[0][:6] == ["id", "name", "resolved", "fcr_numerator", "fcr_denominator", "fcr_rate"]
    assert {row[1]: (row[2], row[3], row[4]) for row in agents[1:]}["Tina"] == ("7", "3", "7")
    teams = csv_rows(sam_client.get("/dashboard/export/teams.csv", MARCH_PARAMS))
    assert {row[1]: row[2] for row in teams[1:]} == {"Service Desk": "7", "Network": "1", "Engineering": "1"}
    flow = csv_rows(sam_client.get("/dashboard/export/flow.csv", MARCH_PARAMS))
    assert ["escalated", "1", "2", "4", "3"] in flow
    backlog = csv_rows(sam_client.get("/dashboard/export/backlog.csv", MARCH_PARAMS))
    assert sum(int(row[3]) for row in backlog[1:]) == 6
    categories = csv_rows(sam_client.get("/dashboard/export/categories.csv", MARCH_PARAMS))
    # created in March: Network 3 4 5 6 (3 escalated), none 9 10 11 12a, Printing 1 7, Toner 2
    assert [row[1:] for row in categories[1:]] == [
        ["Network", "4", "3"],
        ["", "4", "0"],
        ["Printing", "2", "0"],
        ["Toner", "1", "0"],
    ]
    assert sam_client.get("/dashboard/export/nothing.csv", MARCH_PARAMS).status_code == 404


def test_csv_cells_that_could_be_formulas_are_neutralised(sam, sam_client, alice, service_desk) -> None:
    ticket = TicketFactory(subject='=HYPERLINK("http://evil")', requester=alice, team=service_desk)
    TicketFactory(subject="@SUM(1)", requester=alice, team=service_desk)
    TicketFactory(subject="\tx", requester=alice, team=service_desk)
    TicketFactory(subject="-1+2", requester=alice, team=service_desk)
    rows = csv_rows(sam_client.get("/dashboard/tickets/", {"metric": "created", "format": "csv"}))
    subjects = {row[1] for row in rows[1:]}
    assert subjects == {'\'=HYPERLINK("http://evil")', "'@SUM(1)", "'\tx", "'-1+2"}
    assert ticket.reference in {row[0] for row in rows[1:]}


def test_the_ticket_list_is_paginated(sam_client, alice, service_desk) -> None:
    TicketFactory.create_batch(55, requester=alice, team=service_desk)
    first = sam_client.get("/dashboard/tickets/", {"metric": "backlog"}).content.decode()
    assert len(re.findall(r"HD-\d{6}", first)) == 50
    second = sam_client.get("/dashboard/tickets/", {"metric": "backlog", "page": 2}).content.decode()
    assert len(re.findall(r"HD-\d{6}", second)) == 5


def test_the_agent_table_comes_after_the_page(march, sam_client) -> None:
    # the page holds a placeholder that htmx replaces with the table (a link without JavaScript)
    page = sam_client.get("/dashboard/", MARCH_PARAMS).content.decode()
    assert 'hx-get="/dashboard/agents/?from=2026-03-01&amp;to=2026-03-31"' in page
    fragment = sam_client.get(
        "/dashboard/agents/", MARCH_PARAMS, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment
    rows = re.findall(r"<tr>\s*<td>(\w+)</td><td>(\d+)</td>", fragment)
    assert rows == [("Tina", "7"), ("Erin", "1"), ("Nick", "1")]  # people by name, never a login
    whole = sam_client.get("/dashboard/agents/", MARCH_PARAMS).content.decode()
    assert "<html" in whole
    assert "<td>Tina</td><td>7</td>" in whole
    assert sam_client.get("/dashboard/agents/", {"from": "2026-13-01"}).status_code == 400


def test_unknown_metric_or_bad_dates_are_400(sam_client) -> None:
    assert sam_client.get("/dashboard/tickets/", {"metric": "happiness"}).status_code == 400
    assert sam_client.get("/dashboard/tickets/", {"metric": "fcr", "from": "2026-02-30"}).status_code == 400
    assert sam_client.get("/dashboard/", {"from": "2026-03-31", "to": "2026-03-01"}).status_code == 400


@pytest.mark.parametrize(
    "url",
    ["/dashboard/", "/dashboard/agents/", "/dashboard/tickets/?metric=fcr", "/dashboard/export/agents.csv"],
)
def test_only_supervisors_see_the_dashboard(url: str, alice, tina) -> None:
    client = Client()
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    for user in (alice, tina):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_the_page_makes_a_fixed_number_of_queries(march, sam_client, django_assert_max_num_queries, alice,
                                                  service_desk) -> None:  # fmt: skip
    with django_assert_max_num_queries(35) as before:  # 29 + 2 × 3 for the knowledge base / business time
        sam_client.get("/dashboard/", MARCH_PARAMS)
    TicketFactory.create_batch(30, requester=alice, team=service_desk)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert sam_client.get("/dashboard/", MARCH_PARAMS).status_code == 200


def test_the_page_is_in_german_for_german_supervisors(march, sam, sam_client) -> None:
    sam.language = "de"
    sam.save()
    html = sam_client.get("/dashboard/", MARCH_PARAMS).content.decode()
    assert "Erstkontaktlösungsquote" in html
    assert "Eskaliert, mit vorhandenem Artikel gelöst" in html


def test_the_dashboard_is_in_the_supervisor_nav() -> None:
    from django.urls import reverse

    from tickets.panels import nav_entries

    entries = [e for e in nav_entries if e.url_name == "reporting:dashboard"]
    assert len(entries) == 1
    assert entries[0].who == "supervisor"
    assert reverse(entries[0].url_name) == "/dashboard/"


def test_sampled_percentiles_say_so_on_the_page(march, sam_client, settings) -> None:
    exact = sam_client.get("/dashboard/", MARCH_PARAMS).content.decode()
    assert "from a sample" not in exact
    settings.REPORTING_EXACT_PERCENTILES_MAX = 1  # March has 9 resolved tickets
    sampled = sam_client.get("/dashboard/", MARCH_PARAMS).content.decode()
    assert "≈ from a sample of every 16th ticket" in card_html(sampled, "resolution_minutes")


def test_long_ticket_lists_are_paged(march, sam_client, alice) -> None:
    from tests.reporting.conftest import berlin

    TicketFactory.create_batch(50, requester=alice, created_at=berlin(2026, 3, 15, 12))
    params = {**MARCH_PARAMS, "metric": "created"}
    first = sam_client.get("/dashboard/tickets/", params).content.decode()
    assert "Page 1 of 2" in first
    assert "page=2" in first
    second = sam_client.get("/dashboard/tickets/", {**params, "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert "page=1" in second  # back to the first


@pytest.fixture
def february(march, alice, tina, service_desk):  # noqa: ANN001
    """One ticket in the period before March: resolved at tier 1, first response after 10 min."""
    from tests.reporting.conftest import _ticket, berlin

    return _ticket(
        created=berlin(2026, 2, 10, 9), channel="web", requester=alice, fr_after=10, resolved_after=60,
        public_reply_count=1, tier=1, team=service_desk, resolved_tier=1, resolved_by=tina,
    )  # fmt: skip


def test_rates_are_rounded_and_changes_carry_their_unit(february, sam_client) -> None:
    html = sam_client.get("/dashboard/", MARCH_PARAMS).content.decode()
    flr = card_html(html, "flr")
    assert "66.7 %" in flr  # 6 / 9 rounded, not truncated to 66.6
    assert "-33.3 pp" in flr  # 66.7 % against February's 1 / 1
    assert "27.3 %" in card_html(html, "escalation")  # 3 / 11
    first_response = card_html(html, "first_response_minutes")
    assert "+20 min" in first_response  # median 30 min against 10 min
    assert "Compared with the previous period 29 Jan 2026 – 28 Feb 2026." in html  # not 2026-01-29


def test_the_numbers_and_dates_are_german_for_german_supervisors(february, sam, sam_client) -> None:
    sam.language = "de"
    sam.save()
    html = sam_client.get("/dashboard/", MARCH_PARAMS).content.decode()
    assert "66,7 %" in card_html(html, "flr")
    assert "-33,3 Pp." in card_html(html, "flr")
    assert "Verglichen mit dem vorherigen Zeitraum 29.01.2026 – 28.02.2026." in html
    assert '"01.03.2026"' in html  # the trend chart's days, not 2026-03-01
    assert "2026-03-01</" not in html
    assert "&gt; 7 Tage: <a" in html
    assert "Stufe 1: <a" in html


def test_times_under_a_minute_do_not_read_as_zero() -> None:
    from django.template import Context, Template

    rendered = Template("{% load reporting_tags %}{{ a|minutes }}|{{ b|minutes }}|{{ c|minutes }}").render(
        Context({"a": 0, "b": 0.4, "c": 44.5})
    )
    assert rendered == "&lt; 1 min|&lt; 1 min|45 min"


def test_categories_filters_and_ticket_lists_speak_german(march, sam, sam_client) -> None:
    march.first_contact.category.name_de = "Drucken"
    march.first_contact.category.save()
    sam.language = "de"
    sam.save()
    html = sam_client.get("/dashboard/", MARCH_PARAMS).content.decode()
    categories = re.search(r'<section class="card" id="categories">(.*?)</section>', html, re.S).group(1)
    assert "<td>Drucken</td>" in categories
    assert "Printing" not in categories
    assert '"name": "Drucken"' in html  # the chart's labels
    assert ">Drucken</option>" in html
    assert "---------" not in html  # the empty choice of a filter says what it means
    assert "Alle Teams" in html
    assert "Alle Kategorien" in html

    listing = sam_client.get("/dashboard/tickets/", {**MARCH_PARAMS, "metric": "fcr"}).content.decode()
    assert "<code>" not in listing
    assert "numerator" not in listing
    assert "Erstkontaktlösungsquote (FCR): die gezählten Tickets" in listing
    assert '<td data-label="Kategorie">Drucken</td>' in listing
    assert "1 öffentliche Antwort" in listing  # the counters in words, not "0 / 0 / 0 / 1 / 0"
    assert "<th>Verlauf</th>" in listing


def test_the_ticket_list_says_what_it_lists(march, sam_client) -> None:
    params = {**MARCH_PARAMS, "metric": "fcr"}
    counted = sam_client.get("/dashboard/tickets/", params).content.decode()
    assert "<h1>First-contact resolution (FCR): the tickets counted</h1>" in counted
    assert "at most one public agent response" in counted  # the definition
    out_of = sam_client.get("/dashboard/tickets/", {**params, "part": "denominator"}).content.decode()
    assert "<h1>First-contact resolution (FCR): the tickets it is out of</h1>" in out_of
    assert "Counters" not in counted
    assert "1 public reply" in counted
    created = sam_client.get("/dashboard/tickets/", {**MARCH_PARAMS, "metric": "created"}).content.decode()
    assert "<h1>Created</h1>" in created

"""The knowledge-base and business-time numbers of the hand-computed April (tests/reporting/conftest.py
``april``), exactly — through the selectors, the API, the page and the CSV."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.core import mail

from reporting.metrics import metric_tickets, metrics_summary
from reporting.services import weekly_digest_send
from tests.reporting.conftest import APRIL, APRIL_PARAMS, card_html, csv_rows
from tests.reporting.test_metrics import r

pytestmark = pytest.mark.django_db
KEY = "escalated_solved_with_existing_article"
# escalated and resolved in April: known_article, article_later, no_article; with an article that was
# published before the first escalation: known_article only.
EXISTING_ARTICLE = r(1, 3)
# FR business minutes 120 30 60 10 → 10 30 60 120: median 45, p90 60 + 0.7 × 60
BUSINESS_FR = {"median": 45.0, "p90": 102.0, "count": 4}
# resolution business minutes 240 240 360 480 → median 300, p90 360 + 0.7 × 120
BUSINESS_RES = {"median": 300.0, "p90": 444.0, "count": 4}
DEFLECTIONS = {"count": 2, "records": 3}


def test_the_selectors_give_the_hand_computed_numbers(april) -> None:
    summary = metrics_summary(APRIL)
    assert summary[KEY] == EXISTING_ARTICLE
    assert summary["deflections"] == DEFLECTIONS
    assert summary["first_response_minutes"]["business"] == BUSINESS_FR
    assert summary["resolution_minutes"]["business"] == BUSINESS_RES
    # the wall times count the ticket without an SLA clock too
    assert (summary["first_response_minutes"]["count"], summary["resolution_minutes"]["count"]) == (5, 5)
    # March: no tickets, only alice's deflection of 03-31 23:50
    assert summary["previous"][KEY] == r(0, 0)
    assert summary["previous"]["deflections"] == {"count": 1, "records": 1}
    # compared with March: one more deflection session (good); March had no escalated ticket
    # resolved, so the article rate has nothing to be compared with
    assert summary["change"]["deflections.count"] == {"delta": 1, "better": True}
    assert summary["change"][KEY] == {"delta": None, "better": None}


def test_the_tickets_behind_the_article_number_use_the_same_definition(april) -> None:
    numerator = set(metric_tickets(metric=KEY, filters=APRIL))
    denominator = set(metric_tickets(metric=KEY, filters=APRIL, part="denominator"))
    assert numerator == {april.known_article}
    assert denominator == {april.known_article, april.article_later, april.no_article}


def test_an_article_published_only_after_the_escalation_does_not_count(april) -> None:
    # given the article of article_later had been published before its escalation after all
    april.b.versions.update(status="published")
    # then it counts
    assert metrics_summary(APRIL, compare=False)[KEY] == r(2, 3)


def test_deflections_filters(april, network_team) -> None:
    printing = metrics_summary(replace(APRIL, category=april.printing.pk), compare=False)
    # alice's session: A (Printing) and D (Toner, under Printing)
    assert printing["deflections"] == {"count": 1, "records": 2}
    assert metrics_summary(replace(APRIL, channel="email"), compare=False)["deflections"] == {
        "count": 0,
        "records": 0,
    }
    assert metrics_summary(replace(APRIL, channel="web"), compare=False)["deflections"] == DEFLECTIONS
    # a deflection has no team or tier: not the unfiltered number under a filter it ignores
    assert metrics_summary(replace(APRIL, team=network_team.pk), compare=False)["deflections"] is None
    assert metrics_summary(replace(APRIL, tier=1), compare=False)["deflections"] is None


def test_the_api_gives_the_same_numbers(april, sam, api_as) -> None:
    body = api_as(sam).get("/api/v1/metrics/summary/", APRIL_PARAMS).json()
    assert body[KEY] == EXISTING_ARTICLE
    assert body["deflections"] == DEFLECTIONS
    assert body["first_response_minutes"]["business"] == BUSINESS_FR
    assert body["resolution_minutes"]["business"] == BUSINESS_RES


def test_the_page_shows_them_with_links_to_what_is_behind(april, sam_client) -> None:
    html = sam_client.get("/dashboard/", APRIL_PARAMS).content.decode()
    card = card_html(html, KEY)
    assert re.search(r'class="rep-num"[^>]*>1</a>', card)
    assert re.search(r'class="rep-den"[^>]*>3</a>', card)
    deflections = card_html(html, "deflections")
    assert re.search(r'class="rep-num"[^>]*>2</a>', deflections)
    assert "3 records" in deflections
    # business time: 45 min median, 102 min = 1.7 h p90, of 4 tickets with an SLA clock
    business = re.search(
        r'class="rep-fraction rep-business">(.*?)</p>', card_html(html, "first_response_minutes")
    )
    assert re.sub(r"<[^>]+>", "", business.group(1)) == (
        "Business time: 45 min median · 1.7 h p90 · 4 tickets with an SLA clock"
    )
    business = re.search(
        r'class="rep-fraction rep-business">(.*?)</p>', card_html(html, "resolution_minutes")
    )
    assert "5.0 h" in business.group(1)  # 300 min median
    # the numerator link lists exactly the tickets behind it
    link = re.search(r'class="rep-num" href="([^"]+)"', card).group(1).replace("&amp;", "&")
    refs = set(re.findall(r"HD-\d{6}", sam_client.get(link).content.decode()))
    assert refs == {april.known_article.reference}
    # the deflection number links to its records
    link = re.search(r'class="rep-num" href="([^"]+)"', deflections).group(1).replace("&amp;", "&")
    listing = sam_client.get(link)
    assert listing.status_code == 200
    assert listing.content.decode().count("<tr>") == 1 + 3  # header + 3 records
    assert "Toner low" in listing.content.decode()


def test_the_page_says_when_deflections_do_not_apply(april, sam_client, network_team) -> None:
    html = sam_client.get("/dashboard/", {**APRIL_PARAMS, "team": network_team.pk}).content.decode()
    assert "not applicable with a team, tier or organisation filter" in card_html(html, "deflections")


def test_the_csvs_have_the_same_numbers(april, sam_client) -> None:
    rows = csv_rows(sam_client.get("/dashboard/export/summary.csv", APRIL_PARAMS))
    by_metric = {row[0]: row for row in rows[1:]}
    assert by_metric[KEY][1:4] == ["1", "3", "0.3333"]
    assert by_metric["deflections.count"][4] == "2"
    assert by_metric["deflections.records"][4] == "3"
    assert by_metric["first_response_minutes.business.median"][4] == "45.0"
    assert by_metric["resolution_minutes.business.p90"][4] == "444.0"
    assert by_metric["resolution_minutes.business.count"][4] == "4"
    for part, expected in (("numerator", 1), ("denominator", 3)):
        tickets = csv_rows(sam_client.get("/dashboard/tickets/", {**APRIL_PARAMS, "metric": KEY, "part": part,
                                                              "format": "csv"}))  # fmt: skip
        assert len(tickets) - 1 == expected, part
    deflections = csv_rows(sam_client.get("/dashboard/deflections/", {**APRIL_PARAMS, "format": "csv"}))
    assert deflections[0] == ["created_at", "article", "article_title", "article_slug", "query"]
    assert sorted(row[2] for row in deflections[1:]) == ["Printer offline", "Toner low", "Wi-Fi"]


def test_the_deflection_list_is_for_supervisors(april, tina, client) -> None:  # noqa: ANN001
    assert client.get("/dashboard/deflections/").status_code == 302
    client.force_login(tina)
    assert client.get("/dashboard/deflections/").status_code == 403


def test_the_digest_has_them(april, sam) -> None:
    from datetime import date

    # the week Monday 04-06 … Sunday 04-12: easter, known_article and article_later resolved in it
    weekly_digest_send(today=date(2026, 4, 13))
    body = mail.outbox[0].body
    assert "- Escalated, solved with an existing article: 50.0 % (1/2)" in body
    # FR business minutes 120 30 60 → median 60
    assert "- First response time, business time (median): 60 min" in body
    # the week before (03-30 … 04-05) had alice's sessions of 03-31 and 04-02
    assert "- Deflections (portal sessions): 0 (before: 2, -2)" in body


def test_the_new_texts_are_in_german(april, sam, sam_client, network_team) -> None:
    sam.language = "de"
    sam.save()
    html = sam_client.get("/dashboard/", {**APRIL_PARAMS, "team": network_team.pk}).content.decode()
    assert "bei einem Team-, Stufen- oder Organisationsfilter nicht anwendbar" in card_html(
        html, "deflections"
    )
    assert "Tickets mit SLA-Uhr" in card_html(html, "resolution_minutes")

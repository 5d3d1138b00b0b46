from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.reporting.conftest import MARCH_PARAMS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_its_four_charts(browser, live_server, march, sam) -> None:  # noqa: ANN001
    client = Client()
    client.force_login(sam)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    errors: list[str] = []
    context = browser.new_context()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/dashboard/?from={MARCH_PARAMS['from']}&to={MARCH_PARAMS['to']}")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-categories')")
    charts = page.evaluate(
        "() => ['chart-trend','chart-backlog','chart-flow','chart-categories']"
        ".map(id => { const c = Chart.getChart(id); return c ? c.data.datasets[0].data.length : -1; })"
    )
    fcr_numerator = page.locator("#metric-fcr .rep-num").inner_text()
    page.locator("#agents td", has_text="tina").wait_for()  # the table htmx loads after the page
    agent_row = page.locator("#agents tbody tr").first.inner_text()
    context.close()
    assert errors == []
    assert charts == [31, 4, 3, 4]  # days; age buckets; flow rows; categories
    assert fcr_numerator == "3"
    assert agent_row.split("\t")[:2] == ["Tina", "7"]

"""In Debian's Chromium: filter the queue, save it as a view with chosen columns, see it in the
sidebar with its count, open it from there; English and German."""

from __future__ import annotations

import re

import pytest

from savedviews.models import SavedView

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"more": "More filters", "save_as": "Save as view", "save": "Save view", "channel": "Channel"},
    "de": {
        "more": "Weitere Filter",
        "save_as": "Als Ansicht speichern",
        "save": "Ansicht speichern",
        "channel": "Kanal",
    },
}


@pytest.fixture
def page_as(browser, live_server):  # noqa: ANN001, ANN201
    from django.conf import settings
    from django.test import Client

    contexts = []

    def make(user, lang: str, width: int = 1366):  # noqa: ANN001, ANN202
        user.language = lang
        user.save(update_fields=["language"])
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            base_url=live_server.url, locale=lang, viewport={"width": width, "height": 900}
        )
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_save_a_view_from_filters_and_open_it_from_the_sidebar(page_as, tickets, tina, lang):
    t = TEXT[lang]
    page = page_as(tina, lang)
    # given: the queue, filtered to phone calls (htmx swaps the list)
    page.goto("/agent/?tab=open")
    page.get_by_text(t["more"]).click()
    with page.expect_response(re.compile(r"channel=phone")):
        page.select_option("#id_channel", "phone")
    page.wait_for_function("!document.querySelector('#queue').innerText.includes('Printer jams')")
    # when: "Save as view" with a name and other columns
    page.click("#save-as-view")
    page.wait_for_url(re.compile(r"/agent/views/new/\?.*channel=phone"))
    assert page.input_value("#id_channel") == "phone"
    page.fill("#id_name", "Phone calls")
    page.uncheck("input[name=columns][value=requester]")
    page.check("input[name=columns][value=channel]")
    page.get_by_role("button", name=t["save"]).click()
    # then: the view is open, in the sidebar with its count, with the chosen columns
    view = SavedView.objects.get(name="Phone calls")
    page.wait_for_url(re.compile(rf"/agent/views/{view.pk}/$"))
    entry = page.locator("#my-views a", has_text="Phone calls")
    assert entry.locator("[data-testid=view-count]").inner_text() == "1"
    headers = page.locator("table.queue th[data-column]").all_text_contents()
    assert t["channel"] in headers
    assert len(headers) == len(view.columns)
    assert "VPN drops" in page.inner_text("#queue")
    assert "Printer jams" not in page.inner_text("#queue")
    # and from the plain queue, the sidebar opens it again
    page.goto("/agent/?tab=open")
    assert "Printer jams" in page.inner_text("#queue")
    page.locator("#my-views a", has_text="Phone calls").click()
    page.wait_for_url(re.compile(rf"/agent/views/{view.pk}/$"))
    assert "Printer jams" not in page.inner_text("#queue")


def test_on_a_phone_the_views_are_a_folded_list(page_as, tickets, tina):
    from savedviews.services import saved_view_create

    saved_view_create(owner=tina, name="Phone calls", filters={"channel": "phone"})
    page = page_as(tina, "en", width=390)
    page.goto("/agent/?tab=open")
    assert page.locator("#saved-views").get_attribute("open") is None
    assert not page.locator("#my-views").is_visible()
    page.click("#saved-views > summary")
    assert page.locator("#my-views a", has_text="Phone calls").is_visible()

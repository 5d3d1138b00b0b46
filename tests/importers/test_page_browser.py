"""End to end in Debian's Chromium with a real Celery worker: a supervisor uploads a django-helpdesk
dumpdata file on the import page, watches the progress reach done, and opens an imported ticket that
shows its original number and times — in English and German (the issue's "Done when")."""

from __future__ import annotations

import pytest
from django.utils import formats, timezone, translation

from importers.models import ImportRun
from tests.conftest import signed_in_page
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

TEXT = {
    "en": {
        "menu": "Configuration",
        "imports": "Imports",
        "new": "New import",
        "start": "Start the import",
        "done": "Done",
        "count": "4 of 4 tickets",
        "original": "original number",
        "imported": "3 imported",
    },
    "de": {
        "menu": "Konfiguration",
        "imports": "Importe",
        "new": "Neuer Import",
        "start": "Import starten",
        "done": "Fertig",
        "count": "4 von 4 Tickets",
        "original": "ursprüngliche Nummer",
        "imported": "3 importiert",
    },
}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_supervisor_imports_a_django_helpdesk_dump_in_the_browser(
    browser,
    live_server,
    dataset,
    sam,
    worker,
    lang,  # noqa: ANN001
) -> None:
    t = TEXT[lang]
    page = signed_in_page(browser, live_server, sam, lang)
    # given: the page is found through the Configuration menu
    page.goto("/agent/")
    page.locator("summary", has_text=t["menu"]).first.click()
    page.get_by_role("link", name=t["imports"], exact=True).click()
    page.get_by_role("link", name=t["new"]).click()
    # when: the supervisor uploads the dumpdata file
    page.select_option("#id_source", "django-helpdesk")
    page.set_input_files("#id_file", str(dataset["dir"] / "dump.json"))
    page.get_by_role("button", name=t["start"]).click()
    # then: the progress bar, polled by htmx, reaches done and the report appears
    status = page.locator("[data-testid=import-status]").first
    status.filter(has_text=t["done"]).wait_for(timeout=90_000)
    assert page.locator("[data-testid=import-count]").inner_text().startswith(t["count"])
    assert page.locator("progress").get_attribute("value") == "4"
    report = page.locator("[data-testid=import-report]")
    assert t["imported"] in report.inner_text()
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE
    # and the sample's first ticket opens with its original number and times
    page.locator("[data-testid=import-sample] a", has_text="HD-000001").click()
    page.wait_for_url("**/agent/tickets/1/")
    panel = page.locator("[data-testid=imported-panel]")
    assert t["original"] in panel.inner_text()
    assert page.locator("[data-testid=original-number]").inner_text() == "#1"
    ticket = Ticket.objects.get(pk=1)
    with translation.override(lang):
        created = formats.date_format(timezone.localtime(ticket.created_at), "SHORT_DATETIME_FORMAT")
    assert ticket.created_at.isoformat() == "2024-05-06T09:00:00+00:00"  # the source's time, not today
    assert created in page.content()
    page.context.close()

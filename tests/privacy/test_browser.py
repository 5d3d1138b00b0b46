"""In Debian's Chromium: a supervisor erases a person and sees the entry in the audit log (en, de).

With ``SCREENSHOT_DIR`` set, the pages are saved there at 1366 and 390 px wide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accounts.models import User
from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "search": "Search",
        "confirm": "I understand",
        "erase": "Erase this person",
        "erased": "The person was erased.",
        "action": "Person erased",
        "tombstone": "Erased person #",
        "export": "Download everything (ZIP)",
    },
    "de": {
        "search": "Suchen",
        "confirm": "Mir ist klar",
        "erase": "Diese Person löschen",
        "erased": "Die Person wurde gelöscht.",
        "action": "Person gelöscht",
        "tombstone": "Gelöschte Person #",
        "export": "Alles herunterladen (ZIP)",
    },
}


def _shoot(page, name: str) -> None:  # noqa: ANN001
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_supervisor_erases_a_person_and_sees_the_audit_entry(browser, live_server, sam, alice, lang):

    from tickets import services as ticket_services

    ticket_services.ticket_create(
        requester=alice, subject="Alice's laptop", description="Elm Street 5", by=alice
    )
    t = TEXT[lang]
    page = signed_in_page(browser, live_server, sam, lang)
    page.goto("/agent/config/privacy/")
    page.fill("#id_q", "alice")
    page.get_by_role("button", name=t["search"], exact=True).click()
    _shoot(page, f"privacy-home-{lang}")
    page.locator("#people a", has_text="Alice").click()
    page.get_by_role("button", name=t["export"]).wait_for()
    _shoot(page, f"privacy-person-{lang}")
    page.get_by_label(t["confirm"]).check()
    form = {
        name: page.locator(f"#erase-form [name={name}]").input_value()
        for name in ("csrfmiddlewaretoken", "token")
    }
    action = page.locator("#erase-form").get_attribute("action")
    page.get_by_role("button", name=t["erase"]).click()
    page.get_by_text(t["erased"]).wait_for()
    alice.refresh_from_db()
    assert not alice.is_active
    assert page.locator("h1").inner_text() == f"{t['tombstone']}{alice.pk}"
    # the same request again (a resubmitted form, a replay): refused
    replay = page.request.post(
        f"{live_server.url}{action}", form={**form, "confirm": "on"}, headers={"Referer": page.url}
    )
    assert replay.status == 409
    assert User.objects.get(pk=alice.pk).username == f"erased-{alice.pk}"
    page.goto("/agent/config/audit/")
    row = page.locator("#audit-entries tbody tr", has_text=t["action"])
    assert row.count() == 1
    assert f"{t['tombstone']}{alice.pk}" in row.inner_text()
    assert "alice" not in page.content().lower()
    _shoot(page, f"audit-log-{lang}")
    page.context.close()


@pytest.mark.parametrize(
    ("lang", "save", "saved"),
    [
        ("en", "Save the organisation's rule", "Retention rule saved."),
        ("de", "Regel der Organisation speichern", "Aufbewahrungsregel gespeichert."),
    ],
)
def test_a_supervisor_gives_an_organisation_its_own_retention_rule(
    browser, live_server, sam, lang, save, saved
):
    from organisations import services as org_services
    from privacy.models import RetentionRule

    acme = org_services.organisation_save(name="Acme")
    page = signed_in_page(browser, live_server, sam, lang)
    page.goto("/agent/config/privacy/")
    form = page.locator("#retention-org-form")
    form.locator("select[name=organisation]").select_option(label="Acme")
    form.locator("input[name=months]").fill("36")
    form.get_by_role("button", name=save).click()
    page.get_by_text(saved).wait_for()
    assert page.locator("#retention-org-rules tbody tr").first.inner_text().split("\t")[:2] == ["Acme", "36"]
    _shoot(page, f"privacy-retention-{lang}")
    assert RetentionRule.objects.get(organisation=acme).months == 36

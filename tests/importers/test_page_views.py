"""The supervisor pages under Configuration → Imports: who may see them, the form's errors, the
progress fragment that htmx polls, the report, and the imported ticket's panel."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from importers import services
from importers.models import ImportRun
from tests.importers.conftest import dumpdata_upload
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PAGES = ["/agent/config/imports/", "/agent/config/imports/new/"]


def client_as(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def finished_run(dataset, sam) -> ImportRun:  # noqa: ANN001
    run = services.import_run_start(by=sam, kind="django-helpdesk", upload=dumpdata_upload(dataset))
    services.import_run_perform(run_id=run.pk)
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("persona", ["tina", "nick", "alice"])
def test_only_supervisors_see_the_pages(persona, request, sam) -> None:  # noqa: ANN001
    run = ImportRun.objects.create(source_name="csv", location="imports/x/a.csv", options={"kind": "csv"})
    c = client_as(request.getfixturevalue(persona))
    for url in [*PAGES, f"/agent/config/imports/{run.pk}/", f"/agent/config/imports/{run.pk}/progress/"]:
        assert c.get(url).status_code == 403, url
    assert c.post(f"/agent/config/imports/{run.pk}/again/").status_code == 403
    assert c.post("/agent/config/imports/new/", {"source": "csv"}).status_code == 403
    assert ImportRun.objects.count() == 1


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get(PAGES[0])
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_unknown_run_is_404(sam) -> None:  # noqa: ANN001
    assert client_as(sam).get(f"/agent/config/imports/{uuid.uuid4()}/").status_code == 404


def test_the_menu_links_the_page_for_supervisors_only(sam, tina) -> None:  # noqa: ANN001
    assert 'href="/agent/config/imports/"' in client_as(sam).get("/agent/").content.decode()
    assert 'href="/agent/config/imports/"' not in client_as(tina).get("/agent/").content.decode()


def test_the_form_shows_errors_and_saves_nothing(sam, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    c = client_as(sam)
    with django_capture_on_commit_callbacks() as callbacks:
        r1 = c.post(PAGES[1], {"source": "django-helpdesk"})
        r2 = c.post(
            PAGES[1], {"source": "zammad", "url": "https://z.example", "token": "", "mapping": "a: ["}
        )
        r3 = c.post(
            PAGES[1], {"source": "zendesk", "url": "https://z.example", "token": "t", "since": "31.02.2024"}
        )
        r4 = c.post(PAGES[1], {"source": "nonsense"})
    assert [r.status_code for r in (r1, r2, r3, r4)] == [400] * 4
    assert "This source reads an uploaded file: choose the file." in r1.content.decode()
    body = r2.content.decode()
    assert "Give the API token." in body
    assert "The mapping is not valid" in body
    assert "Enter a valid date." in r3.content.decode()
    assert "Select a valid choice" in r4.content.decode()
    assert callbacks == []
    assert not ImportRun.objects.exists()


def test_the_form_in_german(sam) -> None:  # noqa: ANN001
    sam.language = "de"
    sam.save(update_fields=["language"])
    c = client_as(sam)
    page = c.get(PAGES[1], HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Neuer Import" in page
    assert "Import starten" in page
    body = c.post(PAGES[1], {"source": "django-helpdesk"}, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Diese Quelle liest eine hochgeladene Datei: Wählen Sie die Datei." in body


def test_an_upload_starts_a_run_and_leads_to_its_page(
    dataset, sam, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    c = client_as(sam)
    with django_capture_on_commit_callbacks() as callbacks:
        response = c.post(PAGES[1], {"source": "django-helpdesk", "file": dumpdata_upload(dataset)})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agent/config/imports/{run.pk}/"
    assert len(callbacks) == 1
    page = c.get(response["Location"]).content.decode()
    assert "helpdesk-dump.json" in page
    assert f'hx-get="/agent/config/imports/{run.pk}/progress/"' in page  # polled while it waits
    assert "waiting for a worker" in page


def test_a_token_is_never_shown(sam) -> None:  # noqa: ANN001
    c = client_as(sam)
    c.post(PAGES[1], {"source": "zammad", "url": "https://zammad.example", "token": "tok-VERY-secret"})
    run = ImportRun.objects.get()
    for url in [PAGES[0], f"/agent/config/imports/{run.pk}/", f"/agent/config/imports/{run.pk}/progress/"]:
        assert "tok-VERY-secret" not in c.get(url).content.decode()
    r = c.post(PAGES[1], {"source": "zammad", "url": "ftp://x", "token": "tok-VERY-secret"})
    assert "tok-VERY-secret" not in r.content.decode()  # not even back into the form


def test_the_progress_fragment_shows_the_bar_then_the_report(finished_run, sam) -> None:  # noqa: ANN001
    c = client_as(sam)
    running = ImportRun.objects.create(
        source_name="django-helpdesk",
        location="x",
        options={"kind": "django-helpdesk"},
        status=ImportRun.Status.RUNNING,
        done=1200,
        total=5000,
    )
    html = c.get(f"/agent/config/imports/{running.pk}/progress/").content.decode()
    assert '<progress style="width:100%" max="5000" value="1200">' in html
    assert "1,200 of 5,000 tickets" in html
    assert "hx-trigger" in html
    done = c.get(f"/agent/config/imports/{finished_run.pk}/progress/").content.decode()
    assert "hx-trigger" not in done  # finished: no more polling
    assert "4 of 4 tickets" in done
    assert "3 imported, 1 skipped" in done
    assert "1 × no requester" in done
    for pk in (1, 2, 3):
        assert f'href="/agent/tickets/{pk}/"' in done  # the sample links the tickets
    assert "Printer jams on floor 2" in done


def test_a_failed_run_shows_its_error(sam) -> None:  # noqa: ANN001
    run = ImportRun.objects.create(
        source_name="zammad",
        location="https://z.example",
        options={"kind": "zammad"},
        status=ImportRun.Status.FAILED,
        error="zammad: https://z.example/api/v1/groups: HTTP 401",
    )
    page = client_as(sam).get(f"/agent/config/imports/{run.pk}/").content.decode()
    assert "The import stopped:" in page
    assert "HTTP 401" in page
    assert 'name="token"' in page  # running it again asks for the token


def test_running_again_from_the_page(finished_run, sam, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    c = client_as(sam)
    with django_capture_on_commit_callbacks() as callbacks:
        response = c.post(f"/agent/config/imports/{finished_run.pk}/again/")
    again = ImportRun.objects.exclude(pk=finished_run.pk).get()
    assert response["Location"] == f"/agent/config/imports/{again.pk}/"
    assert len(callbacks) == 1
    assert again.location == finished_run.location


def test_the_list_makes_a_fixed_number_of_queries(sam, django_assert_max_num_queries) -> None:  # noqa: ANN001
    c = client_as(sam)
    c.get(PAGES[0])
    for i in range(5):
        ImportRun.objects.create(
            source_name="csv", location=f"imports/{i}/a.csv", options={"kind": "csv"}, created_by=sam
        )
    with django_assert_max_num_queries(8):
        html = c.get(PAGES[0]).content.decode()
    assert html.count("a.csv") == 5
    assert sam.get_full_name() in html


def test_an_imported_ticket_shows_its_original_number(finished_run, sam) -> None:  # noqa: ANN001
    page = client_as(sam).get("/agent/tickets/2/").content.decode()
    assert 'data-testid="imported-panel"' in page
    assert "#2" in page
    assert "django-helpdesk" in page
    assert Ticket.objects.get(pk=2).subject in page


def test_a_native_ticket_has_no_import_panel(sam, alice, service_desk) -> None:  # noqa: ANN001
    from tickets.services import ticket_create

    ticket = ticket_create(requester=alice, by=alice, subject="Native", description="x")
    assert (
        'data-testid="imported-panel"'
        not in client_as(sam).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    )


def test_running_a_token_source_again_asks_for_the_token(sam, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    run = ImportRun.objects.create(
        source_name="zammad",
        location="https://z.example",
        options={"kind": "zammad"},
        status=ImportRun.Status.FAILED,
    )
    c = client_as(sam)
    with django_capture_on_commit_callbacks() as callbacks:
        refused = c.post(f"/agent/config/imports/{run.pk}/again/", {"token": ""})
        running = ImportRun.objects.create(
            source_name="csv", location="x", options={"kind": "csv"}, status=ImportRun.Status.RUNNING
        )
        busy = c.post(f"/agent/config/imports/{running.pk}/again/")
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    assert busy.status_code == 400
    assert "This import is still running." in busy.content.decode()
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        ok = c.post(f"/agent/config/imports/{run.pk}/again/", {"token": "new-token"})
    again = ImportRun.objects.get(created_by=sam)
    assert ok["Location"] == f"/agent/config/imports/{again.pk}/"
    assert again.secret == "new-token"
    assert len(callbacks) == 1

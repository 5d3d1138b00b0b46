from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apitokens.services import api_token_create
from tickets import services
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


def url(ticket: Ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/attachments/"


def download_url(ticket: Ticket, attachment_id: int) -> str:
    return f"/api/v1/tickets/{ticket.pk}/attachments/{attachment_id}/download/"


def upload(
    name: str = "log.txt", content: bytes = b"line 1\n", content_type: str = "text/plain"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def session(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_login(user)
    return client


def _content(response) -> bytes:  # noqa: ANN001
    return b"".join(response.streaming_content)


def _stored_files(settings) -> list[Path]:  # noqa: ANN001
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_customer_attaches_a_file_and_downloads_it(api_as, alice, alice_ticket):
    # when
    response = api_as(alice).post(url(alice_ticket), {"file": upload()}, format="multipart")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["filename"], body["size"], body["internal"]) == ("log.txt", 7, False)
    assert body["download_url"].endswith(download_url(alice_ticket, body["id"]))
    listed = api_as(alice).get(url(alice_ticket)).json()["results"]
    assert [a["id"] for a in listed] == [body["id"]]
    download = session(alice).get(download_url(alice_ticket, body["id"]))
    assert download.status_code == 200
    assert _content(download) == b"line 1\n"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="log.txt"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "text/plain"


def test_the_stored_name_is_generated_and_the_shown_name_sanitised(api_as, alice, alice_ticket):
    response = api_as(alice).post(
        url(alice_ticket), {"file": upload(name="../../etc/pass wd.txt")}, format="multipart"
    )
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert "/" not in attachment.filename
    assert ".." not in attachment.filename
    assert "pass" not in attachment.file.name


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("page.html", "text/html"),
        ("page.txt", "text/html; charset=utf-8"),
        ("image.svg", "image/svg+xml"),
        ("innocent.png", "image/svg+xml"),
        ("data.xml", "application/xml"),
        ("app.js", "text/javascript"),
        ("x.svg", "image/png"),
        ("x.bin", ""),
    ],
)
def test_active_content_is_served_as_opaque_bytes(api_as, alice, alice_ticket, name, content_type):
    created = api_as(alice).post(
        url(alice_ticket), {"file": upload(name=name, content=b"<script>alert(1)</script>", content_type=content_type)},
        format="multipart",
    ).json()  # fmt: skip
    download = session(alice).get(download_url(alice_ticket, created["id"]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_file_over_the_limit_is_413_and_nothing_is_kept(api_as, alice, alice_ticket, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 1000
    response = api_as(alice).post(
        url(alice_ticket), {"file": upload(content=b"x" * 1001)}, format="multipart"
    )
    assert response.status_code == 413
    assert "file" in response.json()
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(api_as, alice, alice_ticket, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 10
    response = api_as(alice).post(
        url(alice_ticket), {"file": upload(content=b"x" * 200_000)}, format="multipart"
    )
    assert response.status_code == 413
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"file": "not a file"}, {"file": SimpleUploadedFile("empty.txt", b"")}],
)
def test_a_missing_or_empty_file_is_400(api_as, alice, alice_ticket, data):
    response = api_as(alice).post(url(alice_ticket), data, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Attachment.objects.exists()


def test_an_internal_attachment_is_hidden_from_the_customer(api_as, alice, tina, alice_ticket):
    # given
    response = api_as(tina).post(
        url(alice_ticket), {"file": upload(), "internal": "true"}, format="multipart"
    )
    assert response.status_code == 201
    attachment_id = response.json()["id"]
    # then
    assert api_as(alice).get(url(alice_ticket)).json()["results"] == []
    assert session(alice).get(download_url(alice_ticket, attachment_id)).status_code == 404
    assert [a["id"] for a in api_as(tina).get(url(alice_ticket)).json()["results"]] == [attachment_id]
    assert session(tina).get(download_url(alice_ticket, attachment_id)).status_code == 200


def test_a_customer_cannot_upload_internal_files(api_as, alice, alice_ticket):
    response = api_as(alice).post(
        url(alice_ticket), {"file": upload(), "internal": "true"}, format="multipart"
    )
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_other_peoples_tickets_and_wrong_parents_are_404(api_as, alice, bob, alice_ticket, bob_ticket):
    # given
    mine = services.attachment_add(ticket=alice_ticket, by=alice, file=upload())
    services.attachment_add(ticket=bob_ticket, by=bob, file=upload())
    # then
    assert api_as(bob).get(url(alice_ticket)).status_code == 404
    assert api_as(bob).post(url(alice_ticket), {"file": upload()}, format="multipart").status_code == 404
    assert session(bob).get(download_url(alice_ticket, mine.pk)).status_code == 404
    # bob's own ticket in the URL, alice's attachment id: still 404
    assert session(bob).get(download_url(bob_ticket, mine.pk)).status_code == 404
    assert session(alice).get(download_url(alice_ticket, 999999)).status_code == 404
    assert Attachment.objects.count() == 2


def test_downloads_work_with_an_api_token_too(alice, alice_ticket):
    attachment = services.attachment_add(ticket=alice_ticket, by=alice, file=upload())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=alice, name='t')[1]}")
    assert client.get(download_url(alice_ticket, attachment.pk)).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get(download_url(alice_ticket, attachment.pk)).status_code == 401


def test_anonymous_downloads_are_sent_to_sign_in(alice, alice_ticket):
    attachment = services.attachment_add(ticket=alice_ticket, by=alice, file=upload())
    response = APIClient().get(download_url(alice_ticket, attachment.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_download_only_answers_get(alice, alice_ticket):
    attachment = services.attachment_add(ticket=alice_ticket, by=alice, file=upload())
    assert session(alice).post(download_url(alice_ticket, attachment.pk)).status_code == 405


def test_an_attachment_on_a_closed_ticket_is_409(api_as, alice, tina, alice_ticket):
    services.ticket_close(ticket=alice_ticket, by=tina)
    response = api_as(alice).post(url(alice_ticket), {"file": upload()}, format="multipart")
    assert response.status_code == 409
    assert not Attachment.objects.exists()

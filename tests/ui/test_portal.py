from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from tickets import panels, services
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


def detail_url(ticket: Ticket) -> str:
    return reverse("tickets:portal_detail", args=[ticket.reference])


@pytest.mark.parametrize("url", ["/portal/new/", "/portal/tickets/", "/portal/tickets/HD-000001/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_form_offers_plain_words_categories_and_live_suggestions(client_as, alice, network_category):
    # when
    html = client_as(alice).get("/portal/new/").content.decode()
    # then
    for words in (
        "Only me",
        "My team",
        "The whole company",
        "It can wait",
        "It slows me down",
        "I cannot work",
    ):
        assert words in html
    assert "Network" in html
    assert 'id="kb-suggestions"' in html
    assert 'hx-get="/help/suggest/"' in html


def test_a_customer_submits_a_request_and_sees_its_reference(
    client_as, alice, network_category, service_desk
):
    # given
    c = client_as(alice)
    upload = SimpleUploadedFile("screen shot.png", b"\x89PNG....", content_type="image/png")
    # when
    response = c.post(
        "/portal/new/",
        {
            "subject": "Printer jams",
            "description": "Paper gets stuck.",
            "category": network_category.pk,
            "impact": "high",
            "urgency": "high",
            "attachment": upload,
        },
        follow=True,
    )
    # then
    ticket = Ticket.objects.get(subject="Printer jams")
    assert (ticket.requester, ticket.channel, ticket.priority, ticket.team) == (
        alice,
        "web",
        "P1",
        service_desk,
    )
    assert ticket.reference in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("tickets:portal_submitted", args=[ticket.reference])
    assert Attachment.objects.get(ticket=ticket).filename == "screen_shot.png"


def test_form_errors_are_shown_and_nothing_typed_is_lost(client_as, alice):
    response = client_as(alice).post(
        "/portal/new/", {"subject": "", "description": "Keep this text", "impact": "low", "urgency": "low"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "Keep this text" in html
    assert not Ticket.objects.exists()


def test_an_oversized_attachment_is_a_form_error(client_as, alice, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 10
    response = client_as(alice).post(
        "/portal/new/",
        {
            "subject": "s",
            "description": "d",
            "impact": "low",
            "urgency": "low",
            "attachment": SimpleUploadedFile("big.txt", b"x" * 11),
        },
    )
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_list_shows_only_the_customers_own_requests(client_as, alice, bob, alice_ticket):
    services.ticket_create(requester=bob, by=bob, subject="Bob's secret problem", description="x")
    html = client_as(alice).get("/portal/tickets/").content.decode()
    assert alice_ticket.subject in html
    assert "Bob&#x27;s secret problem" not in html
    assert "Bob's secret problem" not in html


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "submitted/"), ("post", "reply/"), ("post", "reopen/"), ("post", "rate/")],
)
def test_another_customers_request_is_not_found(client_as, bob, alice_ticket, method, suffix):
    response = getattr(client_as(bob), method)(detail_url(alice_ticket) + suffix)
    assert response.status_code == 404


def test_an_unknown_reference_is_not_found(client_as, alice):
    assert client_as(alice).get("/portal/tickets/not-a-ref/").status_code == 404


def test_the_portal_never_shows_internal_notes_or_the_audit_trail(client_as, alice, tina, alice_ticket):
    # given
    services.message_add(ticket=alice_ticket, author=tina, body="INTERNAL: customer is grumpy", internal=True)
    services.message_add(ticket=alice_ticket, author=tina, body="Please restart the VPN client.")
    services.ticket_update(ticket=alice_ticket, by=tina, priority="P1", tags=["vip"])
    # when
    html = client_as(alice).get(detail_url(alice_ticket)).content.decode()
    # then
    assert "Please restart the VPN client." in html
    assert "INTERNAL" not in html
    assert "grumpy" not in html
    assert "Priority changed" not in html
    assert "vip" not in html


def test_a_reply_is_added_with_a_file(client_as, alice, alice_ticket):
    response = client_as(alice).post(
        detail_url(alice_ticket) + "reply/",
        {"body": "Still broken", "attachment": SimpleUploadedFile("log.txt", b"trace")},
    )
    assert response.status_code == 302
    message = alice_ticket.messages.get()
    assert message.body == "Still broken"
    assert message.attachments.get().filename == "log.txt"


def test_an_empty_reply_is_a_form_error(client_as, alice, alice_ticket):
    response = client_as(alice).post(detail_url(alice_ticket) + "reply/", {"body": "  "})
    assert response.status_code == 400
    assert "Write a message or choose a file." in response.content.decode()


def test_a_reply_to_a_closed_request_is_refused_and_the_text_kept(client_as, alice, tina, alice_ticket):
    services.ticket_close(ticket=alice_ticket, by=tina)
    response = client_as(alice).post(detail_url(alice_ticket) + "reply/", {"body": "Hello again"})
    assert response.status_code == 409
    assert not alice_ticket.messages.exists()


def test_reopen_and_rate_a_resolved_request(client_as, alice, tina, alice_ticket):
    # given
    services.ticket_resolve(ticket=alice_ticket, by=tina, resolution="Replaced the router.")
    c = client_as(alice)
    html = c.get(detail_url(alice_ticket)).content.decode()
    assert "Replaced the router." in html
    assert "Reopen request" in html
    assert "Rate the help" in html
    # when
    assert c.post(detail_url(alice_ticket) + "rate/", {"score": "5", "comment": "Fast!"}).status_code == 302
    again = c.post(detail_url(alice_ticket) + "rate/", {"score": "1"})
    assert c.post(detail_url(alice_ticket) + "reopen/").status_code == 302
    # then
    assert again.status_code == 400
    alice_ticket.refresh_from_db()
    assert alice_ticket.rating.score == 5
    assert alice_ticket.status == "open"


def test_a_rating_needs_a_score(client_as, alice, tina, alice_ticket):
    services.ticket_resolve(ticket=alice_ticket, by=tina, resolution="Done")
    response = client_as(alice).post(detail_url(alice_ticket) + "rate/", {"comment": "meh"})
    assert response.status_code == 400
    assert "meh" in response.content.decode()


def test_registered_portal_panels_are_rendered(
    client_as, alice, alice_ticket, monkeypatch, tmp_path, settings
):
    # given: a panel that another app would register, with a template of its own
    (tmp_path / "p.html").write_text("<div class='card'>PANEL {{ ticket.reference }} {{ extra }}</div>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    monkeypatch.setattr(
        panels,
        "portal_ticket_panels",
        [
            panels.Panel("p.html", context=lambda request, ticket: {"extra": "shown"}, slot="side"),
            panels.Panel("p.html", context=lambda request, ticket: None, slot="main"),
        ],
    )
    html = client_as(alice).get(detail_url(alice_ticket)).content.decode()
    assert html.count("PANEL") == 1
    assert f"PANEL {alice_ticket.reference} shown" in html


def test_portal_page_query_counts_do_not_grow_with_rows(
    client_as, alice, tina, alice_ticket, django_assert_max_num_queries
):
    c = client_as(alice)
    for n in (3, 30):
        while alice_ticket.messages.count() < n:
            i = alice_ticket.messages.count()
            m = services.message_add(ticket=alice_ticket, author=tina if i % 2 else alice, body=f"m{i}")
            services.attachment_add(
                ticket=alice_ticket, by=alice, file=SimpleUploadedFile(f"f{i}.txt", b"x"), message=m
            )
            services.ticket_create(requester=alice, by=alice, subject=f"other {i}", description="d")
        with django_assert_max_num_queries(10):  # with the SLA status timeline panel, the merged requests
            detail = c.get(detail_url(alice_ticket))
        with django_assert_max_num_queries(4):
            listing = c.get("/portal/tickets/")
        assert detail.content.decode().count("entry-text") == n + 1
        assert listing.content.decode().count("<tr>") == Ticket.objects.filter(requester=alice).count() + 1


def test_the_status_is_told_in_the_customers_words(client_as, alice, tina, alice_ticket):
    services.ticket_update(ticket=alice_ticket, by=tina, status="pending")
    html = client_as(alice).get("/portal/tickets/").content.decode()
    assert "Waiting for your reply" in html


@pytest.fixture
def set_language():  # noqa: ANN201
    """``set_language(client, "de")`` switches the profile language, as the page's switch does."""

    def switch(c, language: str) -> None:  # noqa: ANN001
        c.post("/accounts/language/", {"language": language, "next": "/portal/tickets/"})

    yield switch
    # accounts' UserLanguageMiddleware activates the profile language and leaves it active in this
    # thread after the request; the next test must not start in German.
    translation.deactivate()


def test_the_list_shows_open_requests_first_latest_update_on_top(client_as, alice, tina, service_desk):
    def make(subject: str, minutes_ago: int, status: str = "") -> Ticket:
        t = services.ticket_create(requester=alice, by=alice, subject=subject, description="d")
        if status == "resolved":
            services.ticket_resolve(ticket=t, by=tina, resolution="Done")
        elif status:
            services.ticket_update(ticket=t, by=tina, status=status)
        Ticket.objects.filter(pk=t.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
        return t

    make("Solved yesterday", 60 * 24, "resolved")
    make("Open for a week", 60 * 24 * 7)
    make("Solved just now", 1, "resolved")
    make("Waiting since an hour", 60, "pending")
    html = client_as(alice).get("/portal/tickets/").content.decode()
    order = ["Waiting since an hour", "Open for a week", "Solved just now", "Solved yesterday"]
    assert sorted(order, key=html.index) == order


def test_the_last_update_is_told_as_time_ago_in_both_languages(client_as, alice, alice_ticket, set_language):
    Ticket.objects.filter(pk=alice_ticket.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    c = client_as(alice)
    assert "5 minutes ago" in c.get("/portal/tickets/").content.decode().replace("\xa0", " ")
    set_language(c, "de")
    assert "vor 5 Minuten" in c.get("/portal/tickets/").content.decode().replace("\xa0", " ")


def test_the_rating_is_five_labelled_radio_buttons_in_both_languages(
    client_as, alice, tina, alice_ticket, set_language
):
    services.ticket_resolve(ticket=alice_ticket, by=tina, resolution="Done")
    c = client_as(alice)
    html = c.get(detail_url(alice_ticket)).content.decode()
    assert "<legend>How satisfied are you with the help you received?</legend>" in html
    for label in ("1 – Very poor", "2 – Poor", "3 – Okay", "4 – Good", "5 – Excellent"):
        assert re.search(
            rf'<label><input type="radio" name="score" value="\d"[^>]*> {label}</label>', html
        ), label
    set_language(c, "de")
    html = c.get(detail_url(alice_ticket)).content.decode()
    for label in ("1 – Sehr schlecht", "5 – Ausgezeichnet"):
        assert f"> {label}</label>" in html
    c.post(detail_url(alice_ticket) + "rate/", {"score": "4"})
    assert "4 – Gut" in c.get(detail_url(alice_ticket)).content.decode()

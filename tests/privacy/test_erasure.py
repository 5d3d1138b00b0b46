"""Erasing a person: tombstone, files gone, counts kept, confirmed once, in the audit log."""

from __future__ import annotations

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from audit.models import AuditEntry
from helpdesk.errors import ApplicationError, ConflictError
from privacy import services
from tickets.models import Attachment, Message, Rating, Ticket, TicketEvent
from tickets.templatetags.helpdesk_ui import display_name

pytestmark = pytest.mark.django_db(transaction=False)


def _erase(person, by):  # noqa: ANN001, ANN202
    token, _row = services.erasure_token_issue(person=person, by=by)
    return token, services.person_erase(person=person, token=token, by=by)


def test_erasure_replaces_personal_data_and_keeps_the_counts(
    alice, bob, sam, alices_ticket, django_capture_on_commit_callbacks
):
    files = list(Attachment.objects.values_list("file", flat=True))
    assert all(default_storage.exists(f) for f in files)
    messages_before = Message.objects.filter(ticket=alices_ticket).count()
    events_before = TicketEvent.objects.filter(ticket=alices_ticket).count()
    with django_capture_on_commit_callbacks(execute=True):
        _token, counts = _erase(alice, sam)
    alice.refresh_from_db()
    assert display_name(alice) == f"Erased person #{alice.pk}"
    assert (alice.email, alice.is_active, alice.has_usable_password()) == ("", False, False)
    assert "alice" not in alice.username.lower()
    ticket = Ticket.objects.get(pk=alices_ticket.pk)
    assert "Elm" not in ticket.subject + ticket.description + ticket.resolution
    assert set(Message.objects.filter(ticket=ticket).values_list("body", flat=True)) == {
        services.TOMBSTONE_TEXT
    }
    assert not Attachment.objects.filter(ticket=ticket).exists()
    assert not any(default_storage.exists(f) for f in files)
    # metrics keep their counts: the ticket, its events, its rating score, its message count
    assert ticket.status == alices_ticket.status
    assert ticket.public_reply_count == alices_ticket.public_reply_count
    assert TicketEvent.objects.filter(ticket=ticket).count() >= events_before
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment) == (4, "")
    assert counts["tickets"] == 1
    assert counts["attachments"] == 1
    assert counts["messages"] == messages_before
    entry = AuditEntry.objects.get(action="erased")
    assert entry.actor == sam
    assert entry.details["person"] == alice.pk
    assert "alice" not in str(entry.details).lower()


def test_other_people_are_untouched(alice, bob, sam, alices_ticket):
    from tickets import services as ticket_services

    bobs = ticket_services.ticket_create(requester=bob, subject="Bob's printer", description="Jammed", by=bob)
    _erase(alice, sam)
    bobs.refresh_from_db()
    assert bobs.subject == "Bob's printer"
    bob.refresh_from_db()
    assert bob.is_active
    assert bob.email == "bob@example.com"


def test_a_replayed_erasure_is_refused(alice, sam, alices_ticket):
    token, _counts = _erase(alice, sam)
    with pytest.raises(ConflictError):
        services.person_erase(person=alice, token=token, by=sam)
    assert AuditEntry.objects.filter(action="erased").count() == 1
    with pytest.raises(ConflictError):
        services.erasure_token_issue(person=alice, by=sam)  # and no new confirmation for the erased


def test_a_wrong_or_foreign_token_is_refused(alice, bob, sam):
    bobs_token, _row = services.erasure_token_issue(person=bob, by=sam)
    for token in ("", "guess", bobs_token):
        with pytest.raises(ApplicationError) as exc:
            services.person_erase(person=alice, token=token, by=sam)
        assert exc.value.status_code == 400
    alice.refresh_from_db()
    assert alice.is_active


def test_an_expired_token_is_refused(alice, sam):
    token, row = services.erasure_token_issue(person=alice, by=sam)
    row.expires_at = row.created_at
    row.save()
    with pytest.raises(ApplicationError, match="expired"):
        services.person_erase(person=alice, token=token, by=sam)


def test_no_erasing_oneself_or_an_admin(sam):
    from tests.factories import UserFactory

    with pytest.raises(ApplicationError):
        services.erasure_token_issue(person=sam, by=sam)
    root = UserFactory(username="root", is_superuser=True)
    with pytest.raises(ApplicationError):
        services.erasure_token_issue(person=root, by=sam)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_erasures_racing_with_one_token_erase_once(alice, sam):
    token, _row = services.erasure_token_issue(person=alice, by=sam)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            services.person_erase(person=alice, token=token, by=sam)
            outcomes.append("erased")
        except ConflictError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["erased", "refused"]
    assert AuditEntry.objects.filter(action="erased").count() == 1


def test_erasure_removes_the_links_to_directory_accounts_and_the_sign_in_history(alice, sam):
    from sso.models import ExternalIdentity, SignIn
    from sso.services import provision

    # given: alice signed in through single sign-on once
    assert (
        provision(source="oidc", external_id="sub-alice", email=alice.email, full_name="Alice A", groups=[])
        == alice
    )
    assert (
        ExternalIdentity.objects.filter(user=alice).count(),
        SignIn.objects.filter(user=alice).count(),
    ) == (1, 1)
    # when
    _erase(alice, sam)
    # then: neither her account there nor her sign-ins are kept; signing in again makes a new person
    assert not ExternalIdentity.objects.filter(user=alice).exists()
    assert not SignIn.objects.filter(user=alice).exists()
    again = provision(
        source="oidc", external_id="sub-alice", email="alice@example.com", full_name="A", groups=[]
    )
    assert again.pk != alice.pk

"""The satisfaction survey: a signed, expiring link; one rating per ticket; no sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications.survey import SurveyLinkInvalid, survey_ticket_id, survey_token
from tickets.models import Rating, TicketEvent
from tickets.services import ticket_create, ticket_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(alice, tina, network_category):  # noqa: ANN001
    t = ticket_create(requester=alice, subject="VPN", description="x", by=alice, category=network_category)
    return ticket_resolve(ticket=t, by=tina, resolution="Done.")


def test_a_token_opens_exactly_its_ticket():
    assert survey_ticket_id(token=survey_token(ticket_id=42)) == 42


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "43" + t[2:], lambda t: "garbage"])
def test_a_forged_token_is_refused(mangle):  # noqa: ANN001
    with pytest.raises(SurveyLinkInvalid):
        survey_ticket_id(token=mangle(survey_token(ticket_id=42)))


def test_a_token_signed_for_something_else_is_refused():
    from django.core import signing

    with pytest.raises(SurveyLinkInvalid):
        survey_ticket_id(token=signing.dumps(42, salt="another.purpose"))


def test_a_token_expires_after_the_configured_days(settings):  # noqa: ANN001
    settings.NOTIFICATIONS_SURVEY_MAX_AGE = timedelta(days=14)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        token = survey_token(ticket_id=42)
    with time_machine.travel(now + timedelta(days=13, hours=23), tick=False):
        assert survey_ticket_id(token=token) == 42
    with (
        time_machine.travel(now + timedelta(days=14, seconds=1), tick=False),
        pytest.raises(SurveyLinkInvalid),
    ):
        survey_ticket_id(token=token)


def test_the_link_shows_the_chosen_score_without_changing_anything(client, solved):  # noqa: ANN001
    # when: a mail scanner or the customer opens the link
    response = client.get(f"/survey/{survey_token(ticket_id=solved.pk)}/?score=4")
    # then: the page preselects 4, but nothing is recorded on GET
    assert response.status_code == 200
    assert b'value="4" id="id_score_3" required checked' in response.content
    assert not Rating.objects.exists()


def test_one_click_then_confirm_records_one_rating(client, solved):  # noqa: ANN001
    url = f"/survey/{survey_token(ticket_id=solved.pk)}/"
    # when
    response = client.post(url, {"score": "5", "comment": "Quick & friendly"})
    # then
    assert response.status_code == 200
    assert b"Thank you for your rating!" in response.content
    rating = Rating.objects.get(ticket=solved)
    assert (rating.score, rating.comment) == (5, "Quick & friendly")
    assert TicketEvent.objects.filter(ticket=solved, kind=TicketEvent.Kind.RATED, actor=None).exists()
    # when: the link is used again
    again = client.post(url, {"score": "1"})
    assert again.status_code == 200
    assert b"already been rated" in again.content
    assert client.get(url + "?score=2").content.count(b"already been rated") == 1
    assert Rating.objects.get(ticket=solved).score == 5


def test_the_page_speaks_the_customers_language(client, solved, alice):  # noqa: ANN001
    alice.language = "de"
    alice.save()
    response = client.get(f"/survey/{survey_token(ticket_id=solved.pk)}/?score=3")
    assert "Wie zufrieden sind Sie mit unserer Hilfe?" in response.content.decode()


@pytest.mark.parametrize("token_for", ["forged", "expired", "missing ticket"])
def test_bad_links_get_a_clear_400_page(client, solved, settings, token_for):  # noqa: ANN001
    settings.NOTIFICATIONS_SURVEY_MAX_AGE = timedelta(days=14)
    token = survey_token(ticket_id=solved.pk if token_for != "missing ticket" else 999_999)
    if token_for == "forged":
        token = token[:-3] + "abc"
    travel = timedelta(days=15) if token_for == "expired" else timedelta(0)
    with time_machine.travel(timezone.now() + travel):
        response = client.post(f"/survey/{token}/", {"score": "5"})
    assert response.status_code == 400
    assert b"This link is not valid" in response.content
    assert not Rating.objects.exists()


def test_a_ticket_reopened_since_cannot_be_rated_yet(client, solved, alice):  # noqa: ANN001
    from tickets.services import message_add

    message_add(ticket=solved, author=alice, body="Still broken.")
    response = client.post(f"/survey/{survey_token(ticket_id=solved.pk)}/", {"score": "2"})
    assert response.status_code == 409
    assert not Rating.objects.exists()

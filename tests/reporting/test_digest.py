from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core import mail

from reporting.models import WeeklyDigest
from reporting.services import digest_week, weekly_digest_send
from reporting.tasks import weekly_digest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# A Monday; the digest covers Monday 03-09 … Sunday 03-15, compared with 03-02 … 03-08.
MONDAY = date(2026, 3, 16)


def test_the_digest_week_is_the_last_full_week() -> None:
    assert digest_week(today=MONDAY) == (date(2026, 3, 9), date(2026, 3, 15))
    assert digest_week(today=date(2026, 3, 18)) == (date(2026, 3, 9), date(2026, 3, 15))


def test_supervisors_get_the_weeks_numbers_in_their_language(march, sam, tina) -> None:
    # given a German supervisor beside sam (English) and an agent who gets nothing
    UserFactory(username="greta", role="supervisor", language="de", first_name="Greta")
    # when
    sent = weekly_digest_send(today=MONDAY)
    # then
    assert sent == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"sam@example.com", "greta@example.com"}
    english, german = by_to["sam@example.com"], by_to["greta@example.com"]
    assert english.subject == "Helpdesk weekly numbers 2026-03-09 – 2026-03-15"
    # created 03-09…03-15: 1 2 3 4 5 6 7 = 7; the week before: 9 (03-03) = 1
    assert "- Created: 7 (before: 1, +6)" in english.body
    # resolved: 1 2 3 4 (03-14) 6 7 (03-15) = 6 of which FCR 1 and 3
    assert "- First-contact resolution (FCR): 33.3 % (2/6)" in english.body
    assert "/dashboard/?from=2026-03-09&to=2026-03-15" in english.body
    assert german.subject.startswith("Kennzahlen")
    assert "Erstkontaktlösungsquote (FCR): 33,3 % (2/6)" in german.body


def test_a_second_run_for_the_same_week_sends_nothing(sam) -> None:
    assert weekly_digest_send(today=MONDAY) == 1
    assert weekly_digest_send(today=MONDAY) == 0
    assert len(mail.outbox) == 1
    assert WeeklyDigest.objects.get().recipients == 1


def test_the_task_runs_the_service_and_is_scheduled_monday_morning(sam) -> None:
    weekly_digest.apply()
    assert len(mail.outbox) == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["reporting-weekly-digest"]
    assert schedule["task"] == "reporting.tasks.weekly_digest"
    assert (schedule["schedule"].hour, schedule["schedule"].minute, schedule["schedule"].day_of_week) == (
        {7}, {0}, {1},
    )  # fmt: skip

"""Signed, expiring links to the satisfaction survey (no sign-in needed to rate)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

# A salt of its own: a token signed for anything else never opens a survey.
SURVEY_SALT = "notifications.survey"


class SurveyLinkInvalid(Exception):
    """Forged, damaged or expired survey link."""


def survey_token(*, ticket_id: int) -> str:
    # signing.dumps uses a TimestampSigner, so the token carries its own issue time.
    return signing.dumps(ticket_id, salt=SURVEY_SALT)


def survey_ticket_id(*, token: str) -> int:
    """The ticket id the token was signed for; raises SurveyLinkInvalid when forged or expired."""
    max_age: timedelta = settings.NOTIFICATIONS_SURVEY_MAX_AGE
    try:
        value = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise SurveyLinkInvalid("expired") from exc
    except signing.BadSignature as exc:
        raise SurveyLinkInvalid("invalid") from exc
    if not isinstance(value, int):
        raise SurveyLinkInvalid("invalid")
    return value


def survey_url(*, ticket_id: int, score: int | None = None) -> str:
    url = f"{settings.HELPDESK_BASE_URL.rstrip('/')}/survey/{survey_token(ticket_id=ticket_id)}/"
    return f"{url}?score={score}" if score else url

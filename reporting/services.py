"""Writes of the reporting app: the weekly digest to supervisors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .metrics import MetricFilters, metrics_summary
from .models import WeeklyDigest
from .templatetags.reporting_tags import minutes, pct, pp, signed

# (label, path in the summary, kind) of the digest lines.
DIGEST_LINES: list[tuple[str, str, str]] = [
    (gettext_noop("Created"), "created", "count"),
    (gettext_noop("Resolved"), "resolved", "count"),
    (gettext_noop("First-contact resolution (FCR)"), "fcr", "rate"),
    (gettext_noop("First-level resolution (FLR)"), "flr", "rate"),
    (gettext_noop("Escalation rate"), "escalation", "rate"),
    (gettext_noop("Reopen rate"), "reopen", "rate"),
    (gettext_noop("SLA first response"), "sla_first_response", "rate"),
    (gettext_noop("SLA resolution"), "sla_resolution", "rate"),
    (gettext_noop("First response time (median)"), "first_response_minutes.median", "minutes"),
    (
        gettext_noop("First response time, business time (median)"),
        "first_response_minutes.business.median",
        "minutes",
    ),
    (gettext_noop("Resolution time (median)"), "resolution_minutes.median", "minutes"),
    (
        gettext_noop("Resolution time, business time (median)"),
        "resolution_minutes.business.median",
        "minutes",
    ),
    (gettext_noop("CSAT"), "csat.mean", "score"),
    (
        gettext_noop("Escalated, solved with an existing article"),
        "escalated_solved_with_existing_article",
        "rate",
    ),
    (gettext_noop("Deflections (portal sessions)"), "deflections.count", "count"),
]


def digest_week(*, today: date | None = None) -> tuple[date, date]:
    """The last full week (Monday–Sunday) before ``today``, in ``settings.TIME_ZONE``."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def _value(summary: dict[str, Any], path: str) -> Any:
    value: Any = summary
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _show(value: Any, kind: str) -> str:
    if kind == "rate":
        return f"{pct(value['rate'])} ({value['numerator']}/{value['denominator']})"
    if kind == "minutes":
        return minutes(value)
    if value is None:
        return "–"
    return str(value)


def digest_lines(summary: dict[str, Any]) -> list[dict[str, str]]:
    """The digest's numbers with their previous value and change, in the active language."""
    out = []
    for label, path, kind in DIGEST_LINES:
        now, before = _value(summary, path), _value(summary["previous"], path)
        delta = summary["change"].get(path, {}).get("delta")
        if kind == "count" and now is not None and before is not None:
            delta = now - before
        out.append(
            {
                "label": _(label),
                "now": _show(now, kind),
                "before": _show(before, kind),
                "change": pp(delta) if kind == "rate" else signed(delta),
            }
        )
    return out


def supervisors_qs() -> Any:
    User = get_user_model()
    return (
        User.objects.filter(Q(role=User.Role.SUPERVISOR) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def digest_mail_send(*, to: str, subject: str, body: str) -> None:
    """The one way the digest leaves the house: Django's mail with the EMAIL_* settings.
    (When the notifications app offers an outbox for plain mails, this is the place to use it.)"""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def weekly_digest_send(*, today: date | None = None) -> int:
    """Email every supervisor last week's numbers and their change, in their language.

    At most once per week: the week is claimed with a unique row first, so a second run
    (beat fired twice, a retried task) sends nothing. Returns the number of mails sent.
    """
    week_start, week_end = digest_week(today=today)
    try:
        with transaction.atomic():
            claim = WeeklyDigest.objects.create(week_start=week_start)
    except IntegrityError:
        return 0
    summary = metrics_summary(MetricFilters(date_from=week_start, date_to=week_end))
    url = f"{settings.HELPDESK_BASE_URL}{reverse('reporting:dashboard')}?" + urlencode(
        {"from": week_start.isoformat(), "to": week_end.isoformat()}
    )
    sent = 0
    for user in supervisors_qs():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Helpdesk weekly numbers %(start)s – %(end)s") % {
                "start": week_start,
                "end": week_end,
            }
            body = render_to_string(
                "emails/reporting_weekly_digest.txt",
                {
                    "user": user,
                    "start": week_start,
                    "end": week_end,
                    "lines": digest_lines(summary),
                    "backlog": summary["backlog"]["total"],
                    "url": url,
                },
            )
        digest_mail_send(to=user.email, subject=subject, body=body)
        sent += 1
    WeeklyDigest.objects.filter(pk=claim.pk).update(recipients=sent)
    return sent

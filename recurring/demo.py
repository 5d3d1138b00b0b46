"""Demo recurring tickets (``seed_demo``): a weekly one on business days and a monthly one."""

from __future__ import annotations

from accounts.models import Team, User
from sla.demo import business_hours_calendar

from .models import RecurringTicket
from .services import schedule_save


def seed() -> None:
    requester = User.objects.filter(username="customer").first()
    supervisor = User.objects.filter(username="supervisor").first()
    if requester is None or RecurringTicket.objects.exists():
        return
    team = Team.objects.filter(tier=1, is_default_for_tier=True).first()
    schedule_save(
        by=supervisor,
        name="Weekly backup check",
        cron="0 8 * * 1",
        calendar=business_hours_calendar(),
        subject="Check last week's backups ({date})",
        description="Open the backup report, check every job ran, restore one file as a test.",
        requester=requester,
        team=team,
        priority="P3",
        tags=["backup", "routine"],
    )
    schedule_save(
        by=supervisor,
        name="Monatliche Lizenzprüfung",
        cron="30 9 1 * *",
        subject="Lizenzen prüfen ({date})",
        description="Belegte Lizenzen mit den gekauften vergleichen.",
        requester=User.objects.filter(username="kunde").first() or requester,
        tags=["lizenzen"],
    )

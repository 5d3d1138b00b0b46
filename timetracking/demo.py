"""Demo time entries: a few on the demo tickets, by the agents who worked on them (``seed_demo``)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from tickets.models import Ticket

from .models import TimeEntry


def after_history() -> None:
    if TimeEntry.objects.exists():
        return
    rng = random.Random(13)
    entries = []
    tickets = Ticket.objects.filter(assignee__isnull=False).select_related("assignee").order_by("id")[:30]
    for ticket in tickets:
        start = timezone.localtime(ticket.created_at).date()
        for _i in range(rng.randint(1, 3)):
            day = min(start + timedelta(days=rng.randint(0, 3)), timezone.localdate())
            entries.append(
                TimeEntry(
                    ticket=ticket,
                    agent=ticket.assignee,
                    tier=ticket.tier,
                    team=ticket.team,
                    customer_id=ticket.requester_id,
                    date=day,
                    minutes=rng.choice([5, 10, 15, 20, 30, 45, 60, 90]),
                    note=rng.choice(
                        ["", "Phone call", "Remote session", "Analysis", "Telefonat", "Fernwartung"]
                    ),
                    billable=rng.random() < 0.4,
                    source=rng.choice([TimeEntry.Source.MANUAL, TimeEntry.Source.TIMER]),
                )
            )
    TimeEntry.objects.bulk_create(entries)

"""Escalation timings against the configured database (use PostgreSQL; it writes bench rows).

    DATABASE_URL=postgres://…/hd_bench DJANGO_DEBUG=1 python bench/escalation.py [--tickets 200000]

Fills ``--tickets`` tickets (half of them escalated, a quarter pending) with set-based SQL, then
measures: the escalate API (p50/p95 over 200 calls), ``GET /api/v1/escalations/?team=&status=pending``
and the escalated-queue page (p50 over 50 calls each).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
# The test clients send Host: testserver (DisallowedHost otherwise).
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import Team, User  # noqa: E402
from tickets.models import Category, EscalationPath, Ticket  # noqa: E402

HANDOFF = {
    "reason": "needs_expertise",
    "summary": "VPN drops every five minutes since the router firmware update on Monday.",
    "steps_taken": "Reinstalled the client, checked credentials, tested on a second laptop: same drops.",
}


def ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(samples)})"


def setup(n: int) -> tuple[User, User, Team, Category]:
    t1, _ = Team.objects.get_or_create(name="Bench T1", defaults={"tier": 1})
    t2, _ = Team.objects.get_or_create(name="Bench T2", defaults={"tier": 2})
    cat, _ = Category.objects.get_or_create(name="Bench", parent=None)
    EscalationPath.objects.get_or_create(category=cat, tier=1, defaults={"team": t1})
    EscalationPath.objects.get_or_create(category=cat, tier=2, defaults={"team": t2})
    agent1, _ = User.objects.get_or_create(username="bench-t1", defaults={"role": "agent"})
    agent2, _ = User.objects.get_or_create(username="bench-t2", defaults={"role": "agent"})
    agent1.teams.add(t1)
    agent2.teams.add(t2)
    customer, _ = User.objects.get_or_create(username="bench-customer")
    have = Ticket.objects.count()
    if have < n:
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO tickets_ticket (subject, description, requester_id, channel, category_id, impact,
                    urgency, priority, priority_overridden, status, tier, team_id, language, created_at,
                    updated_at, version, sla_state, resolution, escalation_count, deescalation_count,
                    reopen_count, public_reply_count, customer_followup_count)
                SELECT 'Bench ' || g, 'd', %s, 'web', %s, 'medium', 'medium', 'P3', false,
                    CASE WHEN g %% 3 = 0 THEN 'resolved' ELSE 'open' END,
                    CASE WHEN g %% 2 = 0 THEN 2 ELSE 1 END,
                    CASE WHEN g %% 2 = 0 THEN %s ELSE %s END,
                    'en', now() - (g || ' minutes')::interval, now(), 1, 'ok', '',
                    CASE WHEN g %% 2 = 0 THEN 1 ELSE 0 END, 0, 0, 0, 0
                FROM generate_series(1, %s) g
                """,
                [customer.pk, cat.pk, t2.pk, t1.pk, n - have],
            )
            # Fresh statistics and no nested loop: otherwise the planner may take a nested-loop anti-join
            # that rescans the growing escalation table for every ticket (quadratic: 7 minutes had
            # written 150k of 500k rows; like this, a merge anti-join writes all 500k in 33 s).
            cur.execute("ANALYZE tickets_ticket, escalation_escalation")
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL enable_nestloop = off")
            cur.execute(
                """
                INSERT INTO escalation_escalation (ticket_id, from_tier, to_tier, from_team_id, to_team_id, reason,
                    summary, steps_taken, diagnostics, customer_impact, articles_tried, created_by_id,
                    created_at, status, decline_reason)
                SELECT t.id, 1, 2, %s, %s, 'needs_expertise', 'summary of ' || t.id, 'steps', '', '', '[]', %s,
                    t.created_at, CASE WHEN t.id %% 4 = 0 THEN 'pending' ELSE 'accepted' END, ''
                FROM tickets_ticket t
                WHERE t.tier = 2 AND NOT EXISTS (SELECT 1 FROM escalation_escalation e WHERE e.ticket_id = t.id)
                """,
                [t1.pk, t2.pk, agent1.pk],
            )
            cur.execute("ANALYZE")
    return agent1, agent2, t2, cat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (DATABASE_URL).")
    agent1, agent2, t2, cat = setup(args.tickets)
    print(f"tickets: {Ticket.objects.count():,}")

    api1 = APIClient()
    api1.force_authenticate(agent1)
    fresh = list(
        Ticket.objects.filter(tier=1, status="open", category=cat)
        .order_by("-id")
        .values_list("pk", flat=True)[:200]
    )
    samples, cpu = [], []
    for pk in fresh:
        start, start_cpu = time.perf_counter(), time.process_time()
        res = api1.post(f"/api/v1/tickets/{pk}/escalate/", {**HANDOFF, "from_tier": 1}, format="json")
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert res.status_code == 201, res.content
    print("POST /api/v1/tickets/{id}/escalate/:", ms(samples))
    # CPU of this process only: what the code costs, without waiting for a busy machine or the database.
    print("  of which Python CPU:", ms(cpu))

    api2 = APIClient()
    api2.force_authenticate(agent2)
    samples = []
    for _ in range(50):
        start = time.perf_counter()
        res = api2.get("/api/v1/escalations/", {"team": t2.pk, "status": "pending"})
        samples.append(time.perf_counter() - start)
        assert res.status_code == 200
    print("GET /api/v1/escalations/?team=&status=pending:", ms(samples))

    page = Client()
    page.force_login(agent2)
    samples, cpu = [], []
    for _ in range(50):
        start, start_cpu = time.perf_counter(), time.process_time()
        res = page.get("/agent/escalations/")
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert res.status_code == 200
    print("GET /agent/escalations/ (queue page):", ms(samples))
    print("  of which Python CPU:", ms(cpu))

    with connection.cursor() as cur:
        for label, sql in (
            (
                "list API query",
                "SELECT * FROM escalation_escalation WHERE to_team_id = %s AND status = 'pending' ORDER BY id DESC LIMIT 26",
            ),
            (
                "queue query",
                "SELECT * FROM escalation_escalation WHERE to_team_id IN (%s) AND status = 'pending' ORDER BY id LIMIT 50",
            ),
        ):
            cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, [t2.pk])
            plan = cur.fetchone()[0][0]
            print(
                f"{label}: {plan['Execution Time']:.2f} ms in PostgreSQL ({plan['Plan']['Plans'][0]['Node Type']})"
            )


if __name__ == "__main__":
    main()

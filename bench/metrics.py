"""Bench of the metrics: summary API for 30 and 365 days and the dashboard page, p50/p95,
each with its raw-SQL floor (the same SQL statements run straight on a cursor, no ORM/DRF/template).

Run against a PostgreSQL database loaded with ``manage.py seed_load --tickets 1000000``::

    DATABASE_URL=postgres://…/hd_bench python bench/metrics.py [--runs 30]

Without seed_load, ``--synthetic 1000000`` first fills an EMPTY database with synthetic
tickets in SQL (teams, categories, users, tickets over three years with counters, due
times, ratings and ESCALATED/DEESCALATED events) so the bench can run on its own.
Targets (issue #6): summary 30 d p95 ≤ 200 ms, 365 d p95 ≤ 500 ms, page p95 ≤ 300 ms. The
per-agent table, which the page loads right after itself, is measured beside it. First it
folds the stale days into the summary rows (what beat does every minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings_test")

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from reporting.rollup import rollup_refresh  # noqa: E402
from tickets.models import Ticket  # noqa: E402

TARGETS_MS = {"summary 30 d": 200, "summary 365 d": 500, "dashboard 30 d": 300, "agent table 30 d": None}

SYNTHETIC_SQL = """
INSERT INTO accounts_team (name, tier, specialty, is_default_for_tier, routing, max_open_per_agent)
SELECT 'Bench team ' || g, 1 + (g % 3), '', false, 'manual', 20 FROM generate_series(0, 8) g;
INSERT INTO tickets_category (name, name_de, parent_id)
SELECT 'Bench category ' || g, '', NULL FROM generate_series(1, 30) g;
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                           date_joined, role, language, email_updates, available)
SELECT '!', false, 'bench' || g, '', '', '', false, true, now(),
       CASE WHEN g <= 60 THEN 'agent' ELSE 'customer' END, 'en', true, true
FROM generate_series(1, 2000) g;
"""

SYNTHETIC_TICKETS_SQL = """
WITH teams AS (SELECT array_agg(id ORDER BY id) ids, array_agg(tier ORDER BY id) tiers FROM accounts_team),
     cats AS (SELECT array_agg(id ORDER BY id) ids FROM tickets_category),
     agents AS (SELECT array_agg(id ORDER BY id) ids FROM accounts_user WHERE role = 'agent'),
     customers AS (SELECT array_agg(id ORDER BY id) ids FROM accounts_user WHERE role = 'customer'),
     base AS (
       SELECT g, now() - (random() * interval '1095 days') AS created, random() AS r_status, random() AS r_esc,
              random() AS r_misc, (random() * 600)::int AS fr_min, (random() * 10000)::int AS res_min
       FROM generate_series(1, {n}) g
     ),
     shaped AS (
       SELECT b.*,
              CASE WHEN b.r_esc < 0.70 THEN 0 WHEN b.r_esc < 0.92 THEN 1 ELSE 2 END AS esc,
              CASE WHEN b.r_status < 0.05 THEN 'new' WHEN b.r_status < 0.10 THEN 'open'
                   WHEN b.r_status < 0.12 THEN 'pending' WHEN b.r_status < 0.55 THEN 'resolved'
                   ELSE 'closed' END AS status
       FROM base b
     )
INSERT INTO tickets_ticket (subject, description, requester_id, channel, category_id, impact, urgency, priority,
  priority_overridden, status, tier, team_id, assignee_id, language, created_at, updated_at, version,
  first_response_due, resolution_due, sla_state, sla_paused_at, first_response_at, resolved_at, closed_at,
  resolved_by_id, resolved_tier, resolution, escalation_count, deescalation_count, reopen_count,
  public_reply_count, customer_followup_count)
SELECT 'Bench ticket ' || s.g, 'synthetic', c.ids[1 + (s.g % array_length(c.ids, 1))],
  (ARRAY['web','email','phone','chat','api','social'])[1 + (s.g % 6)],
  k.ids[1 + ((s.g * 7) % array_length(k.ids, 1))], 'medium', 'medium', 'P3', false, s.status,
  1 + s.esc, t.ids[1 + s.esc + 3 * (s.g % 3)], a.ids[1 + (s.g % array_length(a.ids, 1))], 'en',
  s.created, s.created, 1,
  s.created + interval '4 hours', s.created + interval '2 days', 'ok', NULL,
  CASE WHEN s.status = 'new' THEN NULL ELSE s.created + s.fr_min * interval '1 minute' END,
  CASE WHEN s.status IN ('resolved', 'closed') THEN s.created + (s.fr_min + s.res_min) * interval '1 minute' END,
  CASE WHEN s.status = 'closed' THEN s.created + (s.fr_min + s.res_min + 4320) * interval '1 minute' END,
  CASE WHEN s.status IN ('resolved', 'closed') THEN a.ids[1 + (s.g % array_length(a.ids, 1))] END,
  CASE WHEN s.status IN ('resolved', 'closed') THEN 1 + s.esc END, '',
  s.esc, CASE WHEN s.esc = 2 AND s.r_misc < 0.3 THEN 1 ELSE 0 END,
  CASE WHEN s.r_misc > 0.93 THEN 1 ELSE 0 END, 1 + (s.g % 3), CASE WHEN s.r_misc > 0.6 THEN 1 ELSE 0 END
FROM shaped s, teams t, cats k, agents a, customers c
ORDER BY s.created;  -- physical order as in production: rows are written as tickets arrive
"""

SYNTHETIC_EVENTS_SQL = """
INSERT INTO tickets_ticketevent (ticket_id, kind, actor_id, field, old_value, new_value, data, created_at)
SELECT id, 'escalated', NULL, 'tier', '1', '2', '{}'::jsonb, created_at + interval '1 hour'
FROM tickets_ticket WHERE escalation_count >= 1;
INSERT INTO tickets_ticketevent (ticket_id, kind, actor_id, field, old_value, new_value, data, created_at)
SELECT id, 'escalated', NULL, 'tier', '2', '3', '{}'::jsonb, created_at + interval '2 hours'
FROM tickets_ticket WHERE escalation_count >= 2;
INSERT INTO tickets_ticketevent (ticket_id, kind, actor_id, field, old_value, new_value, data, created_at)
SELECT id, 'deescalated', NULL, 'tier', '3', '2', '{}'::jsonb, created_at + interval '3 hours'
FROM tickets_ticket WHERE deescalation_count >= 1;
INSERT INTO tickets_rating (ticket_id, score, comment, created_at)
SELECT id, 1 + (id % 5), '', resolved_at FROM tickets_ticket WHERE resolved_at IS NOT NULL AND id % 4 = 0;
"""


def synthetic(n: int) -> None:
    if Ticket.objects.exists():
        sys.exit("--synthetic needs an empty database (no tickets).")
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(SYNTHETIC_SQL)
        cur.execute(SYNTHETIC_TICKETS_SQL.replace("{n}", str(int(n))))
        cur.execute(SYNTHETIC_EVENTS_SQL)
        cur.execute("ANALYZE")
    print(f"synthetic: {n} tickets in {time.perf_counter() - started:.0f} s")


def measure(fn, runs: int) -> list[float]:  # noqa: ANN001
    for _ in range(2):  # warm caches and the connection
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def floor_of(fn, runs: int) -> list[float]:  # noqa: ANN001
    """The same SQL statements the call makes, run straight on a cursor."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    statements = [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]

    def run() -> None:
        # One transaction, as the app runs them, so its SET LOCAL settings apply to the floor too.
        with transaction.atomic(), connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
                if cur.description is not None:
                    cur.fetchall()

    return measure(run, runs)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--synthetic", type=int, default=0, help="fill an empty DB with N synthetic tickets")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each summary query")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The bench needs PostgreSQL (DATABASE_URL).")
    if args.synthetic:
        synthetic(args.synthetic)

    started = time.perf_counter()
    folded = rollup_refresh()  # what beat does every minute; after a bulk load, every day is stale
    print(f"rollup: folded {folded} changed days in {time.perf_counter() - started:.1f} s")
    total = Ticket.objects.count()
    last = Ticket.objects.aggregate(m=Max("created_at"))["m"] or timezone.now()
    to = timezone.localdate(last)
    supervisor, _ = User.objects.get_or_create(username="bench-supervisor", defaults={"role": "supervisor"})
    client = Client()
    client.force_login(supervisor)

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    cases = {}
    for days in (30, 365):
        start = to - timedelta(days=days - 1)
        url = f"/api/v1/metrics/summary/?from={start}&to={to}"
        cases[f"summary {days} d"] = lambda u=url: get(u)
    dash = f"/dashboard/?from={to - timedelta(days=29)}&to={to}"
    cases["dashboard 30 d"] = lambda: get(dash)
    # The per-agent table, which the page loads through htmx right after itself.
    agents = f"/dashboard/agents/?from={to - timedelta(days=29)}&to={to}"
    cases["agent table 30 d"] = lambda: get(agents)

    print(f"{total} tickets; period ending {to}; {args.runs} runs each (after 2 warm-ups)")
    print(f"{'case':<16} {'p50 ms':>8} {'p95 ms':>8} {'floor p50':>10} {'floor p95':>10} {'target':>8}  ok")
    for name, fn in cases.items():
        times = measure(fn, args.runs)
        floor = floor_of(fn, args.runs)
        target = TARGETS_MS[name]
        ok = "–" if target is None else ("yes" if p95(times) <= target else "NO")
        print(
            f"{name:<16} {statistics.median(times):8.1f} {p95(times):8.1f} {statistics.median(floor):10.1f} "
            f"{p95(floor):10.1f} {target or '–':>8}  {ok}"
        )
    if args.explain:
        with CaptureQueriesContext(connection) as captured:
            cases["summary 365 d"]()
        with connection.cursor() as cur:
            for q in captured.captured_queries:
                if "tickets_" not in q["sql"]:
                    continue
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("\n".join(r[0] for r in cur.fetchall()[:40]))
                print("-" * 80)


if __name__ == "__main__":
    main()

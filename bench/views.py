"""Saved views at a million tickets: ``python bench/views.py``.

Needs ``DATABASE_URL`` pointing at PostgreSQL loaded with ``manage.py seed_load --tickets 1000000``
(and ``REDIS_URL`` for the count cache, as in production). Signs in as a seeded tier-1 agent of the
Service Desk, gives them ten realistic saved views (re-created on every run), then measures:

- **sidebar counts**: the ten views' counts as the queue's sidebar computes them (one query, each
  count capped at ``COUNT_CAP``), in-process with the count cache emptied before every run: what
  the first queue page after the cache's 30 s costs. With each view's ``EXPLAIN (ANALYZE, BUFFERS)``.
- **saved-view ticket list**: ``GET /api/v1/views/{id}/tickets/`` of each view over HTTP (gunicorn,
  DEBUG off, token), all ten views' requests together for p50 / p95.
- the queue page with a view open (``GET /agent/views/{id}/``), sidebar included.

Writes its section into docs/performance.md (between the saved-views markers; ``bench/api.py`` keeps
it). The load data has no tags, so the first run tags every 50th ticket ``vpn``, and it has never
been vacuumed, so the first run runs ``VACUUM (ANALYZE)`` on the ticket tables (once per database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import (  # noqa: E402
    BENCH_ENV,
    Client,
    Result,
    _fmt,
    _machine,
    _run,
    _session_login,
    _token,
    gunicorn,
)

START, END = "<!-- saved-views:start -->", "<!-- saved-views:end -->"
VIEW_PREFIX = "bench: "


def _views(team_ids: dict[str, int]) -> list[tuple[str, dict, str]]:
    """(name, filters, sort) of ten views a tier-1 agent would keep."""
    from django.utils import timezone

    week = (timezone.localdate() - timedelta(days=7)).isoformat()
    return [
        ("mine", {"tab": "mine"}, "resolution_due"),
        ("my teams", {"tab": "team"}, "resolution_due"),
        ("unassigned", {"tab": "unassigned"}, "newest"),
        ("SLA breached", {"tab": "open", "sla_state": "breached"}, "resolution_due"),
        ("P1 open", {"tab": "open", "priority": "P1"}, "newest"),
        ("phone, this week", {"tab": "open", "channel": "phone", "created_after": week}, "newest"),
        ("waiting on customer", {"tab": "open", "status": "pending"}, "updated"),
        ("Network, tier 2", {"tab": "open", "tier": 2, "team": team_ids.get("Network")}, "priority"),
        ("resolved this week", {"tab": "open", "status": "resolved", "updated_after": week}, "updated"),
        ("tagged vpn", {"tab": "open", "status": "any", "tags": ["vpn"]}, "newest"),
    ]


# Views with full-text search, measured on their own (see docs/performance.md, "Saved views").
SEARCH_VIEWS = [
    ("search drucker, open", {"tab": "open", "q": "drucker"}, "newest"),
    ("search drucker, any status", {"tab": "open", "status": "any", "q": "drucker"}, "newest"),
]


def _prepare() -> dict:
    from django.db import connection

    from accounts.models import Team, User
    from savedviews.models import SavedView
    from savedviews.services import saved_view_create
    from tickets.management.commands.seed_load import LOAD_PASSWORD
    from tickets.models import Tag

    agent = (
        User.objects.filter(role=User.Role.AGENT, teams__name="Service Desk", is_active=True)
        .order_by("username")
        .first()
    )
    if agent is None:
        raise SystemExit("No seeded Service Desk agent: load the database with `manage.py seed_load`.")
    vpn, _ = Tag.objects.get_or_create(name="vpn")
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM tickets_ticket_tags WHERE tag_id = %s)", [vpn.pk])
        if not cursor.fetchone()[0]:
            cursor.execute(
                "INSERT INTO tickets_ticket_tags (ticket_id, tag_id) "
                "SELECT id, %s FROM tickets_ticket WHERE id %% 50 = 0 ON CONFLICT DO NOTHING",
                [vpn.pk],
            )
            cursor.execute("ANALYZE tickets_ticket_tags")
        # seed_load's COPY leaves the tables never vacuumed: no page is marked all-visible, so every
        # index-only scan reads the table too. Autovacuum keeps a live database's closed tickets
        # all-visible; bench in that state (once per database).
        cursor.execute("SELECT relallvisible * 2 < relpages FROM pg_class WHERE relname = 'tickets_ticket'")
        if cursor.fetchone()[0]:
            for table in ("tickets_ticket", "tickets_ticket_tags", "tickets_ticketsearch"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    SavedView.objects.filter(owner=agent, name__startswith=VIEW_PREFIX).delete()
    teams = dict(Team.objects.values_list("name", "pk"))
    made = {}
    for name, filters, sort in _views(teams) + SEARCH_VIEWS:
        made[name] = saved_view_create(owner=agent, name=VIEW_PREFIX + name, filters=filters, sort=sort)
    return {
        "agent": agent,
        "password": LOAD_PASSWORD,
        "views": [made[name] for name, _f, _s in _views(teams)],
        "search_views": [made[name] for name, _f, _s in SEARCH_VIEWS],
    }


def _counts(fixture: dict, runs: int) -> dict:
    """The sidebar's count query for the ten views, uncached, ``runs`` times; each view's plan."""
    from django.core.cache import cache
    from django.db import connection

    from savedviews import selectors

    agent, views = fixture["agent"], fixture["views"]

    def cold(views: list) -> float:
        cache.delete_many([selectors._cache_key(v, agent) for v in views])
        started = time.perf_counter()
        selectors.saved_view_counts(views=views, user=agent)
        return (time.perf_counter() - started) * 1000

    cold(views)  # warm-up: PostgreSQL's buffers, Django's imports
    times = [cold(views) for _ in range(runs)]
    cached = []
    for _ in range(runs):
        started = time.perf_counter()
        selectors.saved_view_counts(views=views, user=agent)
        cached.append((time.perf_counter() - started) * 1000)
    per_view = []
    for view in views + fixture["search_views"]:
        capped = selectors.saved_view_tickets_qs(view=view, user=agent).order_by().values("pk")
        sql, params = capped[: selectors.COUNT_CAP + 1].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT COUNT(*) FROM ({sql}) s", params)
            plan = cursor.fetchone()[0][0]
        count = selectors.saved_view_counts(views=[view], user=agent)[view.pk]
        per_view.append(
            {
                "name": view.name.removeprefix(VIEW_PREFIX),
                "count": count.label,
                "ms": plan["Execution Time"],
                "buffers": _buffers(plan["Plan"]),
                "scan": _scan(plan["Plan"]),
                "search": view in fixture["search_views"],
            }
        )
    search_times = [cold(fixture["search_views"]) for _ in range(max(3, runs // 4))]
    return {
        "p50": statistics.median(times),
        "max": max(times),
        "cached_p50": statistics.median(cached),
        "search_p50": statistics.median(search_times),
        "per_view": per_view,
        "runs": runs,
    }


def _buffers(node: dict) -> str:
    return f"{node.get('Shared Hit Blocks', 0)} hit, {node.get('Shared Read Blocks', 0)} read"


def _scan(node: dict) -> str:
    """The plan's scans, innermost first, e.g. "Index Scan using ticket_team_status"."""
    found = []
    for child in node.get("Plans", []):
        found += _scan_list(child)
    return "; ".join(dict.fromkeys(found)) or node["Node Type"]


def _scan_list(node: dict) -> list[str]:
    out = []
    if "Scan" in node["Node Type"]:
        out.append(node["Node Type"] + (f" using {node['Index Name']}" if node.get("Index Name") else ""))
    for child in node.get("Plans", []):
        out += _scan_list(child)
    return out


def _http(fixture: dict, port: int, n: int, warmup: int) -> list[Result]:
    agent, password = fixture["agent"], fixture["password"]
    api = Client(port)
    api.token, problem = _token(api, agent.username, password)
    if problem:
        raise SystemExit(problem)
    lists = Result("saved-view ticket list, all ten views", "GET /api/v1/views/{id}/tickets/")
    each = []
    for view in fixture["views"]:
        one = Result(view.name.removeprefix(VIEW_PREFIX), f"GET /api/v1/views/{view.pk}/tickets/")
        _run(one, lambda v=view: api.request("GET", f"/api/v1/views/{v.pk}/tickets/"), n, warmup)
        lists.latencies += one.latencies
        each.append(one)
    lists.status = f"{len(lists.latencies)}×200" if all(r.status.endswith("×200") for r in each) else "errors"
    listing = Result("the agent's views", "GET /api/v1/views/")
    _run(listing, lambda: api.request("GET", "/api/v1/views/"), n, warmup)
    browser = Client(port)
    problem = _session_login(browser, agent.username, password)
    if problem:
        raise SystemExit(problem)
    first = fixture["views"][1]
    page = Result("queue page with a view open, sidebar of 12 views", f"GET /agent/views/{first.pk}/")
    _run(page, lambda: browser.request("GET", f"/agent/views/{first.pk}/"), n, warmup)
    return [lists, *each, listing, page]


def _section(results: list[Result], counts: dict, args: argparse.Namespace) -> str:
    rows = "\n".join(
        f"| {r.name}: `{r.request}` | {_fmt(r.pct(50))} | {_fmt(r.pct(95))} | {r.status} |" for r in results
    )
    plans = "\n".join(
        f"| {v['name']}{' (search)' if v['search'] else ''} | {v['count']} | {v['ms']:.1f} | {v['buffers']} | {v['scan']} |"
        for v in counts["per_view"]
    )
    return f"""{START}
## Saved views (issue #13)

Measured by `bench/views.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {_machine()}.
A seeded tier-1 agent of the Service Desk with ten saved views (`bench/views.py`: mine, my teams,
unassigned, SLA breached, P1 open, phone calls of the last week, waiting on customer, Network tier 2,
resolved in the last week, tagged `vpn`); gunicorn with {args.workers} sync workers, DEBUG off, Redis;
{args.requests} timed requests per line after {args.warmup} warm-up requests.

**Sidebar counts of the ten views** (one query; the count cache emptied before each of {counts["runs"]} runs):
p50 **{counts["p50"]:.1f} ms**, max {counts["max"]:.1f} ms in all; from the cache (Redis, the next 30 s):
p50 {counts["cached_p50"]:.2f} ms. Target: ≤ 50 ms in all. Two views with full-text search
(not among the ten), uncached: p50 {counts["search_p50"]:.1f} ms for both.

| request | p50 ms | p95 ms | responses |
| --- | ---: | ---: | --- |
{rows}

Target: saved-view list p50 ≤ 30 ms, p95 ≤ 60 ms.

How the counts stay cheap (`savedviews/selectors.py`):

- **Capped**: each count is `SELECT COUNT(*) FROM (<the view's query> LIMIT 1001)`, shown as "1,000+"
  above 1,000 (in the API: `count_capped: true`). A view of half the open tickets costs what one of a
  thousand does: PostgreSQL stops after 1,001 index entries.
- **One round trip**: the sidebar's counts are one `SELECT (<count 1>), (<count 2>), …`.
- **Cached** for 30 s in Redis (per user and view version: a saved change counts afresh), so the
  htmx filter changes and page after page of the queue cost one cache read for all counts. The
  sidebar says that counts may be half a minute old.
- **Full text later**: a view with `q` has to test each candidate's search document, 20-800 ms at
  1M tickets depending on the word and the filter (the two search views below); the sidebar shows
  "…" for it and fetches its count after the page (`/agent/views/{id}/count/`, htmx), then cached.
- The view's ticket list pages as the queue does (a keyset over the sort keys, tickets without a
  due time last), so due-time sorts of open tickets walk the partial index `ticket_open_res_due`.
- One index was added (savedviews migration 0002): `ticket_open_channel_created`, open tickets by
  (channel, created_at), for a channel + creation-range view ("phone, this week": 17.8 ms and 7,246
  buffers over `ticket_created` before, 0.2 ms after). The other filters run on the ticket indexes that
  exist (`ticket_open_*`, `ticket_assignee_status`, `ticket_team_status`, `ticket_created`,
  `ticket_sort_updated`). A tag
  filter looks the tags' ids up first, so that PostgreSQL sees how common the tag is (by name it
  guessed 38 of 20,000 links and collected them all: 150 ms; by id 0.5 ms).
- The load database had never been vacuumed (`relallvisible` 0 of 57,441 pages: every index-only scan
  read the table too); the bench vacuums it once, the state autovacuum keeps a live database in.
  Before that, under the same load, the ten counts took 64 ms (p50).

Each view's count query (`SELECT COUNT(*) FROM (… LIMIT 1001)`), `EXPLAIN (ANALYZE, BUFFERS)` after warm-up:

| view | count | ms | buffers | scans |
| --- | ---: | ---: | --- | --- |
{plans}
{END}"""


def _write(section: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=40, help="timed requests per view")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--count-runs", type=int, default=40)
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL database loaded with `manage.py seed_load`.", file=sys.stderr)
        return 2
    os.environ.update(BENCH_ENV)
    import django

    django.setup()
    fixture = _prepare()
    counts = _counts(fixture, args.count_runs)
    with gunicorn(args.workers) as port:
        results = _http(fixture, port, args.requests, args.warmup)
    section = _section(results, counts, args)
    print(section)
    _write(section, Path(args.output))
    print(f"\nwritten: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Indexes for the metrics on the core's tables (PostgreSQL only; SQLite is for development).

* ``reporting_event_tier_moves``: the escalation flow / 1→2 / 2→3 numbers read only the
  ESCALATED and DEESCALATED events of the tickets in the period — a small partial index
  that answers them index-only.
* ``reporting_ticket_backlog``: the backlog (open tickets now, by team, tier and age) as an
  index-only scan over the open tickets only.
"""

from django.db import migrations

EVENT_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS reporting_event_tier_moves ON tickets_ticketevent (ticket_id) "
    "INCLUDE (kind, old_value, new_value) WHERE kind IN ('escalated', 'deescalated')"
)
BACKLOG_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS reporting_ticket_backlog ON tickets_ticket (team_id, tier, created_at) "
    "WHERE status IN ('new', 'open', 'pending')"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(EVENT_INDEX)
    schema_editor.execute(BACKLOG_INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS reporting_event_tier_moves")
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS reporting_ticket_backlog")


class Migration(migrations.Migration):
    # CONCURRENTLY: building the indexes on a live table of a million tickets does not block writes.
    atomic = False

    dependencies = [
        ("reporting", "0001_weekly_digest"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

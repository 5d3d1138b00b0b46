"""Covering indexes for what the summary rows cannot hold (PostgreSQL only).

* ``reporting_ticket_resolved``: the tickets resolved in a period with every column the
  time percentiles and the per-team / per-agent tables read, so those are index-only scans.
* ``reporting_ticket_resolved_sample``: the same for the fixed 1-in-16 sample of tickets
  (``id % 16 = 0``) that long periods take their percentiles from (``metrics._time_percentiles``).
"""

from django.db import migrations

COLUMNS = "id, created_at, first_response_at, team_id, tier, category_id, channel"
RESOLVED = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS reporting_ticket_resolved ON tickets_ticket (resolved_at) "
    f"INCLUDE ({COLUMNS}, resolved_by_id, resolved_tier, escalation_count, reopen_count, "
    "customer_followup_count, public_reply_count) WHERE status IN ('resolved', 'closed')"
)
SAMPLE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS reporting_ticket_resolved_sample ON tickets_ticket (resolved_at) "
    f"INCLUDE ({COLUMNS}) WHERE status IN ('resolved', 'closed') AND id %% 16 = 0"  # %% : a placeholder-free %
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESOLVED)
        schema_editor.execute(SAMPLE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS reporting_ticket_resolved")
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS reporting_ticket_resolved_sample")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: no write lock on a live table of a million tickets

    dependencies = [("reporting", "0004_rollup_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]

"""Triggers that mark the UTC days whose summary rows (``DailyStat``) a write made stale.

PostgreSQL only (on SQLite, the development database, every day is read live). A trigger
sees every write — services, queryset updates, COPY in ``seed_load``, the admin — so the
summary cannot silently drift from the tickets. Cheap on the hot path: inserts run once
per statement over the transition table, an update fires only when a column a metric
reads changed, and a day already marked costs one index probe (ON CONFLICT DO NOTHING).
The days that exist before this migration are marked too, so the first refresh builds them.
"""

from django.db import migrations

# Ticket columns the metrics read: an update that changes none of them is not the rollup's business.
WATCHED = (
    "status created_at resolved_at first_response_at first_response_due resolution_due team_id tier "
    "category_id channel resolved_tier escalation_count deescalation_count reopen_count "
    "public_reply_count customer_followup_count"
).split()


def _changed() -> str:
    old = ", ".join(f"OLD.{c}" for c in WATCHED)
    new = ", ".join(f"NEW.{c}" for c in WATCHED)
    return f"(({old}) IS DISTINCT FROM ({new}))"


def _utc_day(expr: str) -> str:
    return f"(timezone('UTC', {expr}))::date"


FORWARD = f"""
CREATE FUNCTION reporting_mark_ticket_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reporting_dirtyday (day)
  SELECT d FROM (
    SELECT {_utc_day("created_at")} AS d FROM changed_rows
    UNION SELECT {_utc_day("resolved_at")} FROM changed_rows WHERE resolved_at IS NOT NULL
  ) days ORDER BY d
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION reporting_mark_ticket_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reporting_dirtyday (day)
  SELECT DISTINCT d FROM (VALUES ({_utc_day("OLD.created_at")}), ({_utc_day("NEW.created_at")}),
                                 ({_utc_day("OLD.resolved_at")}), ({_utc_day("NEW.resolved_at")})) v(d)
  WHERE d IS NOT NULL ORDER BY d
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- A rating counts on the day its ticket was resolved; a tier move on the day it was created.
CREATE FUNCTION reporting_mark_ticket_child_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reporting_dirtyday (day)
  SELECT d FROM (
    SELECT {_utc_day("t.created_at")} AS d FROM changed_rows c JOIN tickets_ticket t ON t.id = c.ticket_id
    UNION SELECT {_utc_day("t.resolved_at")} FROM changed_rows c JOIN tickets_ticket t ON t.id = c.ticket_id
    WHERE t.resolved_at IS NOT NULL
  ) days ORDER BY d
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION reporting_mark_event_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reporting_dirtyday (day)
  SELECT DISTINCT {_utc_day("t.created_at")} AS d
  FROM changed_rows c JOIN tickets_ticket t ON t.id = c.ticket_id
  WHERE c.kind IN ('escalated', 'deescalated') ORDER BY d
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER reporting_ticket_insert AFTER INSERT ON tickets_ticket
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_mark_ticket_rows();
CREATE TRIGGER reporting_ticket_delete AFTER DELETE ON tickets_ticket
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_mark_ticket_rows();
CREATE TRIGGER reporting_ticket_update AFTER UPDATE ON tickets_ticket
  FOR EACH ROW WHEN {_changed()} EXECUTE FUNCTION reporting_mark_ticket_update();

CREATE TRIGGER reporting_rating_insert AFTER INSERT ON tickets_rating
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_mark_ticket_child_rows();
CREATE TRIGGER reporting_rating_update AFTER UPDATE ON tickets_rating
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_mark_ticket_child_rows();
CREATE TRIGGER reporting_rating_delete AFTER DELETE ON tickets_rating
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_mark_ticket_child_rows();

CREATE TRIGGER reporting_event_insert AFTER INSERT ON tickets_ticketevent
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_mark_event_rows();
CREATE TRIGGER reporting_event_delete AFTER DELETE ON tickets_ticketevent
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_mark_event_rows();

INSERT INTO reporting_dirtyday (day)
SELECT {_utc_day("created_at")} FROM tickets_ticket
UNION SELECT {_utc_day("resolved_at")} FROM tickets_ticket WHERE resolved_at IS NOT NULL
ON CONFLICT DO NOTHING;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS reporting_ticket_insert ON tickets_ticket;
DROP TRIGGER IF EXISTS reporting_ticket_delete ON tickets_ticket;
DROP TRIGGER IF EXISTS reporting_ticket_update ON tickets_ticket;
DROP TRIGGER IF EXISTS reporting_rating_insert ON tickets_rating;
DROP TRIGGER IF EXISTS reporting_rating_update ON tickets_rating;
DROP TRIGGER IF EXISTS reporting_rating_delete ON tickets_rating;
DROP TRIGGER IF EXISTS reporting_event_insert ON tickets_ticketevent;
DROP TRIGGER IF EXISTS reporting_event_delete ON tickets_ticketevent;
DROP FUNCTION IF EXISTS reporting_mark_ticket_rows();
DROP FUNCTION IF EXISTS reporting_mark_ticket_update();
DROP FUNCTION IF EXISTS reporting_mark_ticket_child_rows();
DROP FUNCTION IF EXISTS reporting_mark_event_rows();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_rollup"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

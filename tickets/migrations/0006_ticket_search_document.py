"""One search document per ticket (``tickets_ticketsearch``), kept by triggers, with one GIN index.

Replaces the two GIN expression indexes of 0002 (ticket text, message bodies), whose UNION had to
collect every match of a common word before it could sort (~325 ms for "drucker" at 1M tickets).

The document is ``tickets_search_document(subject, description, public messages, internal notes)``:
'simple' configuration (German and English alike), weights A, B, C and D, public text before
internal text (so internal notes never move or crowd out a public word's positions). PostgreSQL only.

Triggers see every write (services, COPY, the admin, queryset updates):

- a ticket insert adds its document (once per statement, from the transition table);
- a change of subject or description, and any insert, update of body/internal/ticket or delete of
  messages, rewrites the documents of the tickets concerned (``tickets_search_refresh``), which
  first locks those documents so that two writers of the same ticket cannot leave the older text.

The backfill is one INSERT ... SELECT over a GROUP BY of the messages, then the index is built
(measured in docs/performance.md). It runs in the migration's transaction: writes to tickets and
messages wait for it.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# A document may hold at most 1 MB of distinct words; beyond that, the first 60,000 characters of
# each part are indexed (4 parts x 60,000 characters x 4 bytes stay under the limit).
FORWARD = """
-- No parallel scans of it: a search wants its first 200 matches, and starting workers on a busy
-- 2-core machine cost 10-20 ms of the 8-15 ms such a query takes (measured at 1M tickets).
ALTER TABLE tickets_ticketsearch SET (parallel_workers = 0);

CREATE FUNCTION tickets_search_document(subject text, description text, public_text text, internal_text text)
RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN setweight(to_tsvector('simple', coalesce(subject, '')), 'A')
      || setweight(to_tsvector('simple', coalesce(description, '')), 'B')
      || setweight(to_tsvector('simple', coalesce(public_text, '')), 'C')
      || setweight(to_tsvector('simple', coalesce(internal_text, '')), 'D');
EXCEPTION WHEN program_limit_exceeded THEN
  RETURN setweight(to_tsvector('simple', left(coalesce(subject, ''), 60000)), 'A')
      || setweight(to_tsvector('simple', left(coalesce(description, ''), 60000)), 'B')
      || setweight(to_tsvector('simple', left(coalesce(public_text, ''), 60000)), 'C')
      || setweight(to_tsvector('simple', left(coalesce(internal_text, ''), 60000)), 'D');
END $$;

-- The documents of the tickets with id >= min_id that have none yet, set-based (backfill, seed_load).
CREATE FUNCTION tickets_search_fill(min_id bigint) RETURNS bigint LANGUAGE sql AS $$
  WITH inserted AS (
    INSERT INTO tickets_ticketsearch (ticket_id, document)
    SELECT t.id, tickets_search_document(t.subject, t.description, m.public_text, m.internal_text)
    FROM tickets_ticket t
    LEFT JOIN (
      SELECT ticket_id,
             string_agg(body, ' ' ORDER BY created_at, id) FILTER (WHERE NOT internal) AS public_text,
             string_agg(body, ' ' ORDER BY created_at, id) FILTER (WHERE internal) AS internal_text
      FROM tickets_message WHERE ticket_id >= min_id GROUP BY ticket_id
    ) m ON m.ticket_id = t.id
    WHERE t.id >= min_id
    ON CONFLICT (ticket_id) DO NOTHING
    RETURNING 1
  )
  SELECT count(*) FROM inserted
$$;

-- Rewrites the documents of these tickets from their rows (only_existing: never add a missing one,
-- e.g. while a ticket and its document are being deleted).
CREATE FUNCTION tickets_search_refresh(ids bigint[], only_existing boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- Wait for other writers of these documents; the next statement then sees their messages.
  PERFORM 1 FROM tickets_ticketsearch WHERE ticket_id = ANY(ids) ORDER BY ticket_id FOR UPDATE;
  INSERT INTO tickets_ticketsearch (ticket_id, document)
  SELECT t.id, tickets_search_document(
    t.subject, t.description,
    (SELECT string_agg(m.body, ' ' ORDER BY m.created_at, m.id) FROM tickets_message m
      WHERE m.ticket_id = t.id AND NOT m.internal),
    (SELECT string_agg(m.body, ' ' ORDER BY m.created_at, m.id) FROM tickets_message m
      WHERE m.ticket_id = t.id AND m.internal))
  FROM tickets_ticket t
  WHERE t.id = ANY(ids)
    AND (NOT only_existing OR EXISTS (SELECT 1 FROM tickets_ticketsearch s WHERE s.ticket_id = t.id))
  ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document;
END $$;

CREATE FUNCTION tickets_search_ticket_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tickets_ticketsearch (ticket_id, document)
  SELECT id, tickets_search_document(subject, description, NULL, NULL) FROM changed_rows
  ON CONFLICT (ticket_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION tickets_search_ticket_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tickets_search_refresh(ARRAY[NEW.id], false);
  RETURN NULL;
END $$;

CREATE FUNCTION tickets_search_message_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tickets_search_refresh(ARRAY(SELECT DISTINCT ticket_id FROM changed_rows), TG_OP = 'DELETE');
  RETURN NULL;
END $$;

CREATE FUNCTION tickets_search_message_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tickets_search_refresh(ARRAY[OLD.ticket_id, NEW.ticket_id], false);
  RETURN NULL;
END $$;

CREATE TRIGGER tickets_search_ticket_insert AFTER INSERT ON tickets_ticket
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_ticket_rows();
CREATE TRIGGER tickets_search_ticket_update AFTER UPDATE OF subject, description ON tickets_ticket
  FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.description IS DISTINCT FROM NEW.description)
  EXECUTE FUNCTION tickets_search_ticket_update();
CREATE TRIGGER tickets_search_message_insert AFTER INSERT ON tickets_message
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_message_rows();
CREATE TRIGGER tickets_search_message_delete AFTER DELETE ON tickets_message
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_message_rows();
CREATE TRIGGER tickets_search_message_update AFTER UPDATE OF body, internal, ticket_id ON tickets_message
  FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.internal IS DISTINCT FROM NEW.internal
                     OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id)
  EXECUTE FUNCTION tickets_search_message_update();

DROP INDEX IF EXISTS ticket_search_fts;
DROP INDEX IF EXISTS message_body_fts;
"""

# The backfill: the foreign key is dropped and re-added around it (one anti-join instead of a million
# deferred row checks at commit), the index is built once the rows are in.
BACKFILL = """
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';
SELECT tickets_search_fill(0);
CREATE INDEX ticket_search_document_gin ON tickets_ticketsearch USING gin (document);
ANALYZE tickets_ticketsearch;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS tickets_search_ticket_insert ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_search_ticket_update ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_search_message_insert ON tickets_message;
DROP TRIGGER IF EXISTS tickets_search_message_delete ON tickets_message;
DROP TRIGGER IF EXISTS tickets_search_message_update ON tickets_message;
DROP FUNCTION IF EXISTS tickets_search_ticket_rows();
DROP FUNCTION IF EXISTS tickets_search_ticket_update();
DROP FUNCTION IF EXISTS tickets_search_message_rows();
DROP FUNCTION IF EXISTS tickets_search_message_update();
DROP FUNCTION IF EXISTS tickets_search_refresh(bigint[], boolean);
DROP FUNCTION IF EXISTS tickets_search_fill(bigint);
DROP FUNCTION IF EXISTS tickets_search_document(text, text, text, text);
CREATE INDEX IF NOT EXISTS ticket_search_fts ON tickets_ticket USING gin
  (to_tsvector('simple'::regconfig, COALESCE(subject, '') || ' ' || COALESCE(description, '')));
CREATE INDEX IF NOT EXISTS message_body_fts ON tickets_message USING gin
  (to_tsvector('simple'::regconfig, COALESCE(body, '')));
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FORWARD)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'tickets_ticketsearch'::regclass AND contype = 'f'"
        )
        foreign_keys = cursor.fetchall()
        for name, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE tickets_ticketsearch DROP CONSTRAINT "{name}"')
        cursor.execute(BACKFILL)
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE tickets_ticketsearch ADD CONSTRAINT "{name}" {definition}')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_message_system")]

    operations = [
        migrations.CreateModel(
            name="TicketSearch",
            fields=[
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="tickets.ticket",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

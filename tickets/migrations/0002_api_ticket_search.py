"""GIN expression indexes for the ticket search (``q``) on PostgreSQL.

The expressions must stay identical to what ``tickets.selectors.ticket_search`` generates
(``SearchVector(..., config="simple")``), or the planner cannot use them. Nothing on SQLite.
Built CONCURRENTLY (hence ``atomic = False``) so an existing large table keeps taking writes.
"""

from django.db import migrations

INDEXES = {
    "ticket_search_fts": (
        "tickets_ticket",
        "to_tsvector('simple'::regconfig, COALESCE(subject, '') || ' ' || COALESCE(description, ''))",
    ),
    "message_body_fts": ("tickets_message", "to_tsvector('simple'::regconfig, COALESCE(body, ''))"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

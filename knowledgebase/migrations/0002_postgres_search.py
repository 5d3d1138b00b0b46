"""PostgreSQL only: pg_trgm, the GIN index on the search vector and the trigram index on the
words typos are corrected against.

Not part of the model state (SQLite has neither), so makemigrations never sees them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import DatabaseError, migrations, transaction

FORWARD = [
    "CREATE INDEX IF NOT EXISTS kb_article_search_gin ON knowledgebase_article USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS kb_searchword_trgm ON knowledgebase_searchword USING gin (word gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS kb_searchword_trgm",
    "DROP INDEX IF EXISTS kb_article_search_gin",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


def _lz4(apps, schema_editor):
    """Every ranked row decompresses its search vector: lz4 does that several times faster than the
    default pglz. Needs PostgreSQL 14+ built with lz4; elsewhere the default stays."""
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("ALTER TABLE knowledgebase_article ALTER COLUMN search_vector SET COMPRESSION lz4")
    except DatabaseError:
        pass


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
        migrations.RunPython(_lz4, migrations.RunPython.noop, elidable=False),
    ]

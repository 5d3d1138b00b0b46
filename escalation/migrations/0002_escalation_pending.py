"""A small partial index on the pending escalations, for the queue of several teams (oldest first).

Built ``CONCURRENTLY`` on PostgreSQL so a live table of half a million escalations keeps taking
writes; the model state gets the same index as ``Escalation.Meta.indexes`` declares.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["id"], condition=models.Q(status="pending"), name="escalation_pending")


def forwards(apps, schema_editor):
    model = apps.get_model("escalation", "Escalation")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS escalation_pending "
            "ON escalation_escalation (id) WHERE status = 'pending'"
        )
    else:
        schema_editor.add_index(model, INDEX)


def backwards(apps, schema_editor):
    model = apps.get_model("escalation", "Escalation")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS escalation_pending")
    else:
        schema_editor.remove_index(model, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("escalation", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="escalation", index=INDEX)],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]

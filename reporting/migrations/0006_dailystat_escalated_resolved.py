from django.db import migrations, models


def cut_anew(apps, schema_editor):
    """A new counter is 0 in the rows cut before it: forget the cut, so every day is read live
    until the next refresh has cut them all anew (``rollup._restart``)."""
    apps.get_model("reporting", "RollupState").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_resolved_indexes")]

    operations = [
        migrations.AddField(
            model_name="dailystat",
            name="escalated_resolved",
            field=models.IntegerField(db_default=0),
        ),
        migrations.RunPython(cut_anew, migrations.RunPython.noop),
    ]

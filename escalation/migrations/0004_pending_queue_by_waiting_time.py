from django.db import migrations, models


class Migration(migrations.Migration):
    """The pending queue is read longest waiting first (``created_at``), no longer by id."""

    dependencies = [
        ("escalation", "0003_tier_labels"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="escalation", name="escalation_pending"),
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(
                condition=models.Q(("status", "pending")), fields=["created_at", "id"], name="escalation_pending"
            ),
        ),
    ]

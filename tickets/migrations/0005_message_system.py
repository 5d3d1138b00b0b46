from django.db import migrations, models


def mark_system_messages(apps, schema_editor):
    """Earlier system messages (the public update on an escalation) carry ``data.system`` on their event."""
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    Message = apps.get_model("tickets", "Message")
    ids = [
        data.get("message")
        for data in TicketEvent.objects.filter(kind="message", data__system=True).values_list("data", flat=True)
    ]
    ids = [pk for pk in ids if isinstance(pk, int)]
    for start in range(0, len(ids), 1000):
        Message.objects.filter(pk__in=ids[start : start + 1000], author__isnull=True, by_agent=False).update(
            system=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_tier_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="system",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(mark_system_messages, migrations.RunPython.noop),
    ]

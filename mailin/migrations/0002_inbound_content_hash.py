"""Every distinct mail is stored: the Message-ID is no longer unique, (Message-ID, content hash) is."""

import django.db.models.deletion
from django.db import migrations, models


def fill_content_hash(apps, schema_editor):  # noqa: ANN001, ANN201
    from mailin.fingerprint import content_hash

    InboundMail = apps.get_model("mailin", "InboundMail")
    batch = []
    for mail in InboundMail.objects.only("pk", "raw").iterator(chunk_size=500):
        mail.content_hash = content_hash(bytes(mail.raw))
        batch.append(mail)
        if len(batch) == 500:
            InboundMail.objects.bulk_update(batch, ["content_hash"])
            batch = []
    InboundMail.objects.bulk_update(batch, ["content_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("mailin", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboundmail",
            name="content_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_content_hash, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="inboundmail",
            name="message_id",
            field=models.CharField(db_index=True, max_length=255),
        ),
        migrations.AddField(
            model_name="inboundmail",
            name="repeat_of",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="mailin.inboundmail",
            ),
        ),
        migrations.AddConstraint(
            model_name="inboundmail",
            constraint=models.UniqueConstraint(fields=("message_id", "content_hash"), name="inbound_unique_content"),
        ),
    ]

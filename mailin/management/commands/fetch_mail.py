from django.core.management.base import BaseCommand, CommandError

from mailin.models import InboundMail, Mailbox
from mailin.services import mailbox_fetch, pending_process


class Command(BaseCommand):
    help = "Poll the configured IMAP mailboxes once and turn new mail into tickets and replies."

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("--mailbox", help="only this mailbox (name)")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        boxes = Mailbox.objects.filter(active=True)
        if options["mailbox"]:
            boxes = boxes.filter(name=options["mailbox"])
            if not boxes.exists():
                raise CommandError(f"No active mailbox named {options['mailbox']!r}.")
        for box in boxes:
            try:
                pks = mailbox_fetch(mailbox=box)
            except Exception as exc:
                self.stderr.write(f"{box.name}: {exc}")
                continue
            done = InboundMail.objects.filter(pk__in=pks)
            self.stdout.write(
                f"{box.name}: {len(pks)} new, "
                + ", ".join(f"{s}: {done.filter(status=s).count()}" for s in InboundMail.Status.values)
            )
        left = pending_process()
        if left:
            self.stdout.write(f"finished {left} mail(s) left from an earlier run")

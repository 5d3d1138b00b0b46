"""Runs INSIDE the separate virtualenv with the real django-helpdesk (see tests/importers/test_django_helpdesk.py).

Creates a small realistic data set through django-helpdesk's own models in a SQLite file, then
writes its dumpdata JSON and a JSON summary of what it made (what the round-trip test compares).
Usage: python make_dataset.py OUT_DIR
"""

import json
import os
import sys
from datetime import UTC, datetime, timedelta

OUT = os.path.abspath(sys.argv[1])
os.makedirs(OUT, exist_ok=True)

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    SECRET_KEY="x",
    USE_TZ=True,
    TIME_ZONE="UTC",
    DATABASES={
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(OUT, "helpdesk.sqlite3")}
    },
    INSTALLED_APPS=[
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.sites",
        "django.contrib.humanize",
        "rest_framework",
        "helpdesk",
    ],
    SITE_ID=1,
    MEDIA_ROOT=os.path.join(OUT, "media"),
    HELPDESK_TEAMS_MODE_ENABLED=False,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from helpdesk.models import FollowUp, FollowUpAttachment, KBCategory, KBItem, Queue, Ticket  # noqa: E402

call_command("migrate", verbosity=0)

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
hw = Queue.objects.create(title="Hardware", slug="hw", locale="en")
sw = Queue.objects.create(title="Software", slug="sw", locale="de")
agent = User.objects.create_user(
    "anna", "anna@helpdesk.example", "x", first_name="Anna", last_name="Agent", is_staff=True
)
boss = User.objects.create_superuser("boss", "boss@helpdesk.example", "x")
carl = User.objects.create_user("carl", "carl@customer.example", "x", first_name="Carl", last_name="Customer")


def at(hours):  # noqa: ANN001, ANN201
    return T0 + timedelta(hours=hours)


CREATED = {}


def ticket(title, queue, email, status, hours, priority=3, assigned=None):  # noqa: ANN001, ANN201
    t = Ticket.objects.create(
        title=title,
        queue=queue,
        submitter_email=email,
        status=status,
        priority=priority,
        description=f"{title}: please help.",
        assigned_to=assigned,
    )
    CREATED[t.pk] = hours
    return t


def followup(t, hours, comment, user=None, public=True, new_status=None):  # noqa: ANN001, ANN201
    f = FollowUp.objects.create(
        ticket=t, title="Comment", comment=comment, public=public, user=user, new_status=new_status
    )
    FollowUp.objects.filter(pk=f.pk).update(date=at(hours))
    return f


# 1: answered, solved, closed; with an internal note and an attachment on the reply
t1 = ticket(
    "Printer jams on floor 2",
    hw,
    "carl@customer.example",
    Ticket.CLOSED_STATUS,
    0,
    priority=2,
    assigned=agent,
)
followup(t1, 1, "Checked the paper tray, it was bent.", user=agent, public=False)
f = followup(t1, 2, "We replaced the tray. Does it work now?", user=agent)
FollowUpAttachment.objects.create(
    followup=f,
    file=ContentFile(b"%PDF-1.4 report", name="report.pdf"),
    filename="report.pdf",
    mime_type="application/pdf",
    size=15,
)
followup(t1, 3, "Resolved.", user=agent, new_status=Ticket.RESOLVED_STATUS)
followup(t1, 5, "Closed.", user=agent, new_status=Ticket.CLOSED_STATUS)
# 2: resolved, then the customer came back (by mail: no user), reopened, solved again
t2 = ticket("VPN drops every hour", sw, "dora@customer.example", Ticket.RESOLVED_STATUS, 10)
followup(t2, 11, "Please update the client.", user=agent)
followup(t2, 12, "Updated.", user=agent, new_status=Ticket.RESOLVED_STATUS)
followup(t2, 20, "It drops again!", user=None, new_status=Ticket.REOPENED_STATUS)
followup(t2, 22, "New profile pushed.", user=agent, new_status=Ticket.RESOLVED_STATUS)
# 3: still open, no answer yet
t3 = ticket("Need a second screen", hw, "carl@customer.example", Ticket.OPEN_STATUS, 30, priority=4)
# 4: no submitter address at all: a broken row
t4 = ticket("Anonymous", hw, "", Ticket.OPEN_STATUS, 31)

# Saving a follow-up saves its ticket ("modified" = now): the tickets' times are set last.
for pk, hours in CREATED.items():
    Ticket.objects.filter(pk=pk).update(created=at(hours), modified=at(hours + 30))

cat = KBCategory.objects.create(
    name="printing", title="Printing", slug="printing", description="All about printers", queue=hw
)
KBItem.objects.create(
    category=cat,
    title="Clearing a paper jam",
    question="The printer jams.",
    answer="Open tray 2 and pull the sheet.",
    enabled=True,
)
cat_de = KBCategory.objects.create(name="vpn", title="VPN", slug="vpn", description="VPN", queue=sw)
KBItem.objects.create(
    category=cat_de,
    title="VPN-Profil erneuern",
    question="Die VPN bricht ab.",
    answer="Profil neu laden.",
    enabled=True,
)

with open(os.path.join(OUT, "dump.json"), "w", encoding="utf-8") as fh:
    call_command("dumpdata", "auth.user", "helpdesk", stdout=fh)

summary = {
    "tickets": [
        {
            "id": t.id,
            "title": t.title,
            "created": t.created.isoformat(),
            "submitter": t.submitter_email,
            "followups": [
                {
                    "date": f.date.isoformat(),
                    "public": f.public,
                    "user": f.user.email if f.user else None,
                    "comment": f.comment,
                }
                for f in t.followup_set.order_by("date")
            ],
        }
        for t in Ticket.objects.order_by("id")
    ],
    "broken": [t4.id],
}
with open(os.path.join(OUT, "summary.json"), "w", encoding="utf-8") as fh:
    json.dump(summary, fh)
print("ok", t1.id, t2.id, t3.id, t4.id)

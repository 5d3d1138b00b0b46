"""Runs INSIDE the separate virtualenv with the real django-helpdesk: changes a copy of the data set
of ``make_dataset.py`` the way its users would, for the ``--since`` test. Usage:
python change_dataset.py SQLITE_FILE

- ticket 3 gets a new follow-up from the agent (django-helpdesk sets its ``modified`` to now);
- ticket 2's title is changed behind django-helpdesk's back, its ``modified`` left in 2024:
  an import ``--since`` a later date must not see it.
"""

import sys

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="x",
    USE_TZ=True,
    TIME_ZONE="UTC",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}},
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
    HELPDESK_TEAMS_MODE_ENABLED=False,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from helpdesk.models import FollowUp, Ticket  # noqa: E402

t3 = Ticket.objects.get(pk=3)
FollowUp.objects.create(
    ticket=t3,
    title="Comment",
    comment="The screen is ordered.",
    public=True,
    user=User.objects.get(username="anna"),
)
t3.save()  # "modified" = now
Ticket.objects.filter(pk=2).update(title="VPN drops (edited without touching modified)")
print("ok", Ticket.objects.get(pk=3).modified.isoformat())

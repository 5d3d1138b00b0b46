"""Runs INSIDE the separate virtualenv with the real django-helpdesk: an empty django-helpdesk database
made by its own migrations (what ``bulk_data.fill`` then fills). Usage: python make_schema.py TARGET
where TARGET is a SQLite file path or ``postgres://user@host:port/name`` (needs psycopg in the venv)."""

import sys
from urllib.parse import urlparse

import django
from django.conf import settings

target = sys.argv[1]
if target.startswith("postgres"):
    u = urlparse(target)
    db = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": u.path.lstrip("/"),
        "USER": u.username or "postgres",
        "PASSWORD": u.password or "",
        "HOST": u.hostname or "127.0.0.1",
        "PORT": str(u.port or 5432),
    }
else:
    db = {"ENGINE": "django.db.backends.sqlite3", "NAME": target}
settings.configure(
    SECRET_KEY="x",
    USE_TZ=True,
    TIME_ZONE="UTC",
    DATABASES={"default": db},
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
)
django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)
print("ok")

#!/usr/bin/env python
import os
import sys
from pathlib import Path


def _local_debug_default() -> None:
    """A checkout that `make run` started (it generates ``var/secret_key`` in debug mode) runs its
    ``manage.py`` commands in debug mode too, as `make run` does, unless told otherwise: the README's
    commands work as written. Anywhere else (no such file, or ``SECRET_KEY`` / ``DJANGO_DEBUG`` set) nothing
    changes, and the settings still refuse debug off without a real key; the web and worker processes
    (wsgi, celery) never read this."""
    if "DJANGO_DEBUG" in os.environ or "SECRET_KEY" in os.environ:
        return
    var_dir = Path(os.environ.get("HELPDESK_VAR_DIR", Path(__file__).resolve().parent / "var"))
    if (var_dir / "secret_key").is_file():
        os.environ["DJANGO_DEBUG"] = "1"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    _local_debug_default()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

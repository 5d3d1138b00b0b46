"""Break glass: turn local passwords for staff back on (or off) when single sign-on is down.

python manage.py sso_staff_passwords on     # staff may sign in with passwords again
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.context import acting_as
from sso.selectors import sso_settings_get
from sso.services import sso_settings_update


class Command(BaseCommand):
    help = "Turn local passwords for staff on or off (recorded in the audit log, by the system)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("state", choices=["on", "off"])

    def handle(self, *args: Any, state: str, **options: Any) -> None:
        row = sso_settings_get()
        with acting_as(None):
            sso_settings_update(staff_passwords_off=state == "off", unmapped=row.unmapped)
        self.stdout.write(f"local passwords for staff: {state}")

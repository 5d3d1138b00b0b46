"""The core's configuration models in the audit registry. Apps that come later register their own
models in their ``AppConfig.ready()`` with ``audit.registry.register`` (one call each)."""

from __future__ import annotations

from django.utils.translation import gettext

from . import registry


def _user_repr(user: object) -> str:
    # No name or address in the log: the page shows the person's current name from the id.
    return gettext("User #%(id)s") % {"id": user.pk}


def _is_staff_account(user: object) -> bool:
    # A customer signing up is not a configuration change; a new agent or supervisor is.
    return user.role != "customer" or user.is_staff or user.is_superuser


def register_core_models() -> None:
    from accounts.models import Team, User
    from automation.models import Macro, Rule
    from mailin.models import Mailbox
    from recurring.models import RecurringTicket
    from sla.models import Calendar, CustomHoliday, SlaPolicy
    from tickets.models import Category, EscalationPath
    from webhooks.models import Webhook

    registry.register(
        User,
        fields=["role", "is_active", "is_staff", "is_superuser"],
        m2m=["teams"],
        repr=_user_repr,
        log_create=_is_staff_account,
    )
    registry.register(Team)
    registry.register(Category)
    registry.register(EscalationPath)
    registry.register(Calendar)
    registry.register(CustomHoliday)
    registry.register(SlaPolicy)
    registry.register(Rule, exclude=["created_at", "updated_at"])
    registry.register(Macro, exclude=["created_at", "updated_at"])
    registry.register(Webhook, secret=["secret"], exclude=["created_at"])
    registry.register(Mailbox, exclude=["last_polled_at", "last_error"])
    registry.register(RecurringTicket, exclude=["created_at", "handled_until", "next_run_at"])

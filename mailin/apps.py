from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    """Email in: IMAP polling, threading of replies onto tickets, quarantine."""

    name = "mailin"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets.events import event_recorded
        from tickets.panels import Panel, agent_ticket_panels

        from . import receivers  # noqa: F401  -- connects the anymail inbound receiver
        from .panels import email_panel_context

        event_recorded.connect(receivers.copy_participants_on_merge, dispatch_uid="mailin-merge-participants")

        agent_ticket_panels.append(
            Panel("mailin/_email_panel.html", context=email_panel_context, slot="side", title=_("Email"))
        )

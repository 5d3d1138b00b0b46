from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tickets.events import event_batch_recorded, event_recorded, event_value_labels
        from tickets.panels import NavEntry, Panel, agent_ticket_panels, nav_entries

        from . import receivers, selectors
        from .models import Notification

        # "Notification sent: Assigned to you", not the stored kind code.
        event_value_labels["notification"] = dict(Notification.Kind.choices)

        event_recorded.connect(
            receivers.on_event_recorded, dispatch_uid="notifications.on_event_recorded", weak=False
        )
        event_batch_recorded.connect(
            receivers.on_event_batch_recorded,
            dispatch_uid="notifications.on_event_batch_recorded",
            weak=False,
        )
        agent_ticket_panels.append(
            Panel(
                "notifications/_delivery_panel.html",
                context=selectors.delivery_panel_context,
                slot="side",
                title=_("Notifications"),
            )
        )
        nav_entries.append(NavEntry(_("Email notifications"), "notifications:preferences", who="customer"))

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks: ticket events to integrations, signed, retried with backoff."""

    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets.events import event_recorded
        from tickets.panels import NavEntry, nav_entries

        from .receivers import on_ticket_event

        event_recorded.connect(on_ticket_event, dispatch_uid="webhooks-ticket-event")
        nav_entries.append(NavEntry("Webhooks", "webhooks:list", who="supervisor", order=90, group="config"))

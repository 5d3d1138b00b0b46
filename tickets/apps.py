from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The core's own panels, through the same extension point as the other apps' (tickets/panels.py).
        from .bulk_views import merged_banner_context, resolve_children_context, ticket_links_context
        from .panels import Panel, agent_ticket_panels, portal_ticket_panels

        agent_ticket_panels.append(
            Panel("tickets/_merged_banner.html", context=merged_banner_context, slot="main", order=0)
        )
        portal_ticket_panels.append(
            Panel("tickets/_merged_banner.html", context=merged_banner_context, slot="main", order=0)
        )
        agent_ticket_panels.append(
            Panel(
                "tickets/_links_panel.html",
                context=ticket_links_context,
                slot="side",
                order=20,
                title=_("Links and merge"),
                open=True,
            )
        )
        agent_ticket_panels.append(
            Panel("tickets/_resolve_children.html", context=resolve_children_context, slot="resolve")
        )

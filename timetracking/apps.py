from django.apps import AppConfig


class TimetrackingConfig(AppConfig):
    """Time accounting: entries per ticket (by hand or a timer), totals per ticket, customer, team, agent."""

    name = "timetracking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from tickets.panels import Panel, agent_ticket_panels

        from .views import time_panel_context

        agent_ticket_panels.append(
            Panel(
                "timetracking/_time_panel.html",
                context=time_panel_context,
                slot="side",
                order=5,
                title=_("Time"),
                open=True,
            )
        )

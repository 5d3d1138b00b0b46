from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("SLA")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets.events import event_batch_prepared, event_recorded
        from tickets.panels import NavEntry, Panel, agent_ticket_panels, nav_entries, portal_ticket_panels

        from . import selectors, services

        event_recorded.connect(services.on_event_recorded, dispatch_uid="sla.on_event_recorded")
        event_batch_prepared.connect(
            services.on_event_batch_prepared, dispatch_uid="sla.on_event_batch_prepared"
        )
        agent_ticket_panels.append(
            Panel(
                "sla/_agent_panel.html",
                context=selectors.agent_panel_context,
                slot="side",
                order=20,
                title=_("SLA"),
            )
        )
        portal_ticket_panels.append(
            Panel("sla/_portal_timeline.html", context=selectors.portal_panel_context, slot="main", order=20)
        )
        nav_entries.append(
            NavEntry(_("SLA policies"), "sla:config", who="supervisor", order=80, group="config")
        )

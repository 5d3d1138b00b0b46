from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    """Macros and automation rules. Reaches the core only through its services, signal and panels."""

    name = "automation"
    verbose_name = _("Automation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets.bulk import bulk_action_register
        from tickets.events import event_recorded
        from tickets.panels import NavEntry, Panel, agent_ticket_panels, nav_entries

        from . import bulk, panels, receivers

        bulk_action_register(bulk.ACTION)
        event_recorded.connect(receivers.on_event_recorded, dispatch_uid="automation.on_event_recorded")
        agent_ticket_panels.append(
            Panel(
                "automation/_macro_picker.html", context=panels.macro_picker_context, slot="actions", order=5
            )
        )
        agent_ticket_panels.append(
            Panel(
                "automation/_run_log.html",
                context=panels.run_log_context,
                slot="side",
                order=90,
                title=_("Automation"),
            )
        )
        nav_entries.append(NavEntry(_("Macros"), "automation:macros", who="agent", order=84, group="config"))
        nav_entries.append(
            NavEntry(_("Automation rules"), "automation:rules", who="supervisor", order=85, group="config")
        )

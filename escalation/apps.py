from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Escalation")

    def ready(self) -> None:
        # The core never imports this app: it sends ``event_recorded`` and renders registered panels.
        from tickets.events import event_recorded, event_value_labels
        from tickets.panels import NavEntry, Panel, agent_ticket_panels, nav_entries

        from . import panels, services

        event_value_labels["consult"] = dict(services.CONSULT_EVENT_VALUES)

        event_recorded.connect(services.on_ticket_created, dispatch_uid="escalation.route_new_ticket")
        event_recorded.connect(services.on_ticket_finished, dispatch_uid="escalation.supersede_on_finish")
        agent_ticket_panels.append(
            Panel("escalation/_handoff_card.html", context=panels.handoff_card_context, slot="main", order=10)
        )
        agent_ticket_panels.append(
            Panel("escalation/_actions.html", context=panels.actions_context, slot="actions", order=20)
        )
        agent_ticket_panels.append(
            Panel("escalation/_resolve_warning.html", context=panels.resolve_warning_context, slot="resolve")
        )
        nav_entries.append(NavEntry(_("Escalations"), "escalation:queue", who="agent", order=15))
        nav_entries.append(
            NavEntry(
                _("Escalation paths"), "escalation:config_paths", who="supervisor", order=80, group="config"
            )
        )
        nav_entries.append(
            NavEntry(_("Teams"), "escalation:config_teams", who="supervisor", order=81, group="config")
        )

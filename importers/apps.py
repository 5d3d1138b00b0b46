from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "importers"
    verbose_name = _("Importers")

    def ready(self) -> None:
        from mailin.hooks import subject_lookup_register
        from tickets.panels import NavEntry, Panel, agent_ticket_panels, nav_entries

        from .lookup import ticket_for_subject
        from .panels import original_number_context

        nav_entries.append(
            NavEntry(_("Imports"), "importers:list", who="supervisor", order=98, group="config")
        )
        agent_ticket_panels.append(
            Panel(
                "importers/_ticket_panel.html",
                context=original_number_context,
                slot="side",
                order=90,
                title=_("Imported"),
                open=True,
            )
        )
        # Replies to the old helpdesk's mail ("Re: [#123] …") thread onto the imported ticket.
        subject_lookup_register("matched by original number in subject", ticket_for_subject)

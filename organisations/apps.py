from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    """Customer organisations: membership (one primary), email domains, shared tickets, managers,
    notes for agents, an SLA policy by contract."""

    name = "organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django.utils.translation import gettext
        from django.utils.translation import gettext_lazy as _

        from accounts.models import User
        from audit import registry as audit_log
        from tickets.panels import NavEntry, Panel, agent_ticket_panels, nav_entries

        from . import receivers
        from .models import Domain, Membership, Organisation
        from .views import agent_panel_context

        # The admin audit log (issue #14): organisations, their domains, and members' rights. Joining by
        # an email domain with no rights is no configuration change; named by id, never by person.
        audit_log.register(Organisation, exclude=["created_at"])
        audit_log.register(Domain)
        audit_log.register(
            Membership,
            exclude=["created_at"],
            repr=lambda m: gettext("Membership #%(id)s") % {"id": m.pk},
            log_create=lambda m: m.is_manager or m.sees_all_tickets,
        )

        post_save.connect(receivers.customer_created, sender=User, dispatch_uid="organisations-by-domain")
        agent_ticket_panels.append(
            Panel(
                "organisations/_agent_panel.html",
                context=agent_panel_context,
                slot="side",
                order=3,
                title=_("Organisation"),
                open=True,
            )
        )
        nav_entries.append(NavEntry(_("Organisation"), "organisations:portal", who="customer", order=50))
        nav_entries.append(
            NavEntry(
                _("Organisations"), "organisations:config_list", who="supervisor", group="config", order=60
            )
        )

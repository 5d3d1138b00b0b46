from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tickets.events import (
            event_batch_prepared,
            event_batch_recorded,
            event_recorded,
            event_value_labels,
        )
        from tickets.panels import NavEntry, Panel, agent_ticket_panels, message_body_renderers, nav_entries

        from . import receivers, selectors
        from .models import Notification

        # "Notification sent: Assigned to you", not the stored kind code.
        event_value_labels["notification"] = dict(Notification.Kind.choices)

        event_recorded.connect(
            receivers.on_event_recorded, dispatch_uid="notifications.on_event_recorded", weak=False
        )
        event_batch_prepared.connect(
            receivers.on_event_batch_prepared,
            dispatch_uid="notifications.on_event_batch_prepared",
            weak=False,
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
        # Agents: mentions, followers, the in-app list (notifications.inbox). ready() may run twice.
        from .mentions import render_message_bodies

        registered = {p.template for p in agent_ticket_panels}
        for panel in (
            Panel(
                "notifications/_mentions.html",
                context=selectors.mentions_panel_context,
                slot="main",
                order=90,
            ),
            Panel(
                "notifications/_follow_button.html", context=selectors.follow_panel_context, slot="actions"
            ),
            Panel(
                "notifications/_followers_panel.html",
                context=selectors.followers_side_context,
                slot="side",
                title=_("Followers"),
                order=95,
            ),
        ):
            if panel.template not in registered:
                agent_ticket_panels.append(panel)
        if render_message_bodies not in message_body_renderers:
            message_body_renderers.append(render_message_bodies)
        if not any(e.url_name == "notifications:inbox" for e in nav_entries):
            nav_entries.append(
                NavEntry(
                    pgettext_lazy("in-app", "Notifications"),
                    "notifications:inbox",
                    who="agent",
                    order=200,  # the last plain link: a bell at the end of the bar
                    badge_url="notifications:inbox_badge",
                    icon="notifications/_bell.svg",
                )
            )

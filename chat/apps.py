from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        from tickets.panels import NavEntry, nav_entries

        if not any(e.url_name == "chat:inbox" for e in nav_entries):
            # An icon beside the bell, so the bar stays one line.
            nav_entries.append(
                NavEntry(_("Chat"), "chat:inbox", who="agent", order=199, icon="chat/_nav_icon.svg")
            )
            nav_entries.append(
                NavEntry(_("Chat settings"), "chat:settings", who="supervisor", order=83, group="config")
            )

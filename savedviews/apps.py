from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SavedViewsConfig(AppConfig):
    name = "savedviews"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Saved views")

    def ready(self) -> None:
        from tickets.panels import Panel, queue_panels

        from .views import sidebar_context

        queue_panels.append(Panel("savedviews/_sidebar.html", context=sidebar_context, slot="side"))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from tickets.panels import NavEntry, nav_entries

        nav_entries.append(NavEntry(label=_("Dashboard"), url_name="reporting:dashboard", who="supervisor"))

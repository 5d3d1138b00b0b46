from django.apps import AppConfig


class RecurringConfig(AppConfig):
    """Recurring tickets: cron schedules that open a ticket from a template, run by Celery beat."""

    name = "recurring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from tickets.panels import NavEntry, nav_entries

        nav_entries.append(
            NavEntry(_("Recurring tickets"), "recurring:list", who="supervisor", order=95, group="config")
        )

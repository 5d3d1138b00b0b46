from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Privacy by law: export everything about a person, erase a person, and retention rules."""

    name = "privacy"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from audit import registry
        from tickets.panels import NavEntry, nav_entries

        from .models import RetentionRule

        registry.register(RetentionRule, exclude=["created_by", "created_at"])
        nav_entries.append(NavEntry(_("Privacy"), "privacy:home", who="supervisor", order=96, group="config"))

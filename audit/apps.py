from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The admin audit log: who changed which configuration, roles, teams, SLA, rules, webhooks and
    sign-in settings, and every export and erasure of a person. Append-only (``audit.models``)."""

    name = "audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from tickets.panels import NavEntry, nav_entries

        from . import registrations

        registrations.register_core_models()
        nav_entries.append(NavEntry(_("Audit log"), "audit:list", who="supervisor", order=97, group="config"))

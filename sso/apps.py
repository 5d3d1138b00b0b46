from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on (issue #14): OpenID Connect here, LDAP and SAML on the same core
    (``sso.services.provision``), group → role / team mappings and the sign-in settings."""

    name = "sso"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from audit import registry as audit_log
        from tickets.panels import NavEntry, nav_entries

        from .models import GroupMapping, SsoSettings

        # The admin audit log: the mappings (with their teams) and the sign-in settings.
        audit_log.register(GroupMapping, exclude=["created_at"], m2m=["teams"])
        audit_log.register(SsoSettings)
        nav_entries.append(
            NavEntry(_("Single sign-on"), "sso:config", who="supervisor", group="config", order=94)
        )

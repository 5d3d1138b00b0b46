from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Two-factor authentication")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tickets.panels import NavEntry, nav_entries

        from . import receivers

        user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="twofactor.on_login", weak=False)
        if not any(e.url_name == "twofactor:overview" for e in nav_entries):
            # Staff find them in the Configuration menu (the bar is full); customers in an Account menu.
            for who, group in (("agent", "config"), ("customer", "account")):
                nav_entries.append(
                    NavEntry(_("Two-factor authentication"), "twofactor:overview", who, 300, group=group)
                )
                nav_entries.append(NavEntry(_("API tokens"), "apitokens:list", who, 310, group=group))
            nav_entries.append(
                NavEntry(_("Two-factor reset"), "twofactor:staff_list", "supervisor", 90, group="config")
            )

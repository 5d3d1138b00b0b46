from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiTokensConfig(AppConfig):
    name = "apitokens"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("API tokens")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import User

        from . import schema  # noqa: F401  -- registers the Bearer scheme with drf-spectacular

        post_save.connect(_user_saved, sender=User, dispatch_uid="apitokens-user-deactivated")


def _user_saved(sender: object, instance: object, raw: bool = False, **kwargs: object) -> None:
    """An account turned off keeps no working token, even if it is turned on again later."""
    if not raw and getattr(instance, "_deactivated", False):
        from .services import api_tokens_revoke_all

        api_tokens_revoke_all(user=instance)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiTokensConfig(AppConfig):
    name = "apitokens"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("API tokens")

    def ready(self) -> None:
        from . import schema  # noqa: F401  -- registers the Bearer scheme with drf-spectacular

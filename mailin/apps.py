from django.apps import AppConfig


class MailinConfig(AppConfig):
    """Email in: IMAP polling, threading of replies onto tickets, quarantine."""

    name = "mailin"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  -- connects the anymail inbound receiver

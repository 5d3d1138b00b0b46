from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "importers"
    verbose_name = _("Importers")

    def ready(self) -> None:
        from mailin.hooks import subject_lookup_register

        from .lookup import ticket_for_subject

        # Replies to the old helpdesk's mail ("Re: [#123] …") thread onto the imported ticket.
        subject_lookup_register("matched by original number in subject", ticket_for_subject)

from django.core.management import call_command
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model


class Command(BaseCommand):
    help = "Migrate and register the helpdesk as a confidential client (RS256, code flow, no consent)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", action="append", required=True)

    def handle(self, *args, client_id, client_secret, redirect_uri, **options):  # noqa: ANN001, ANN201
        call_command("migrate", verbosity=0)
        app_model = get_application_model()
        app_model.objects.filter(client_id=client_id).delete()
        app_model.objects.create(
            name="Helpdesk",
            client_id=client_id,
            client_secret=client_secret,
            client_type=app_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=app_model.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(redirect_uri),
            algorithm=app_model.RS256_ALGORITHM,
            skip_authorization=True,
        )

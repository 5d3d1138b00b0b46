"""The supervisor page's form: types only; what fits which source is checked by the service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import SOURCE_KINDS


class ImportForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(k.value, k.label) for k in SOURCE_KINDS.values()],
        initial="django-helpdesk",
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("For a dumpdata JSON file (manage.py dumpdata helpdesk auth.user) or a CSV file."),
    )
    url = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=1000,
        help_text=_(
            "Zammad or Zendesk: the address of the instance (https://…). django-helpdesk's or osTicket's "
            "database: its database URL (postgres://… or mysql://…)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    token = forms.CharField(
        label=_("API token"),
        required=False,
        max_length=500,
        help_text=_("Zammad or Zendesk. Kept only while the import runs, never shown again."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    email = forms.EmailField(
        label=_("Zendesk: the token's owner (email)"),
        required=False,
        help_text=_("The email of the Zendesk admin the API token belongs to."),
    )
    mapping = forms.CharField(
        label=_("Mapping (YAML)"),
        required=False,
        max_length=200_000,
        help_text=_(
            "States, priorities, queues and custom fields; leave empty for the defaults (see a dry run)."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"}),
    )
    since = forms.DateField(
        label=_("Only tickets changed since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: write nothing, only report what would be imported"), required=False
    )


class RunAgainForm(forms.Form):
    """Running a finished import again: only the secret it forgot (``needs``: "token", "url" or "")."""

    token = forms.CharField(
        label=_("API token"), required=False, max_length=500, widget=forms.PasswordInput(render_value=False)
    )
    url = forms.CharField(label=_("Database URL"), required=False, max_length=1000)

    def __init__(self, *args: object, needs: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if needs:
            self.fields[needs].required = True

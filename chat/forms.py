from __future__ import annotations

from urllib.parse import urlparse

from django import forms
from django.utils.translation import gettext_lazy as _

ORIGIN_INVALID = _("“%(line)s” is not an origin. Write one a line, e.g. https://www.example.com")


class ChatSettingsForm(forms.Form):
    bot_enabled = forms.BooleanField(label=_("Answer bot first"), required=False)
    allowed_origins = forms.CharField(
        label=_("Websites that may embed the chat widget"),
        help_text=_(
            "One origin a line, e.g. https://www.example.com. The help centre itself is always allowed."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )

    def clean_allowed_origins(self) -> str:
        lines = []
        for raw in self.cleaned_data["allowed_origins"].splitlines():
            line = raw.strip().rstrip("/")
            if not line:
                continue
            parsed = urlparse(line)
            if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.path or parsed.query:
                raise forms.ValidationError(ORIGIN_INVALID % {"line": line[:100]})
            lines.append(f"{parsed.scheme}://{parsed.netloc}".lower())
        return "\n".join(dict.fromkeys(lines))


class TeamCapForm(forms.Form):
    max_chats_per_agent = forms.IntegerField(label=_("Concurrent chats per agent"), min_value=1, max_value=20)

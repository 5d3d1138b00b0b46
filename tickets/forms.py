"""Forms of the portal and the agent workspace: they validate and keep what was typed; services write."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, Q
from django.forms.utils import flatatt
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User

from .models import RATING_CHOICES, Category, Level, Priority, Ticket
from .selectors import category_tree, requester_open_tickets

# What impact and urgency mean, in the words a customer uses.
IMPACT_PLAIN = [
    (Level.LOW, _("Only me")),
    (Level.MEDIUM, _("My team")),
    (Level.HIGH, _("The whole company")),
]
URGENCY_PLAIN = [
    (Level.LOW, _("It can wait")),
    (Level.MEDIUM, _("It slows me down")),
    (Level.HIGH, _("I cannot work")),
]
ATTACHMENT_TOO_LARGE = _("The file is larger than %(max)s.")
REPLY_EMPTY = _("Write a message or choose a file.")
CUSTOMER_NOT_FOUND = _("No customer with this username or email address. Enter an email below to create one.")
CUSTOMER_AMBIGUOUS = _("Several customers match; enter the exact username.")
CUSTOMER_EITHER = _("Pick an existing customer or enter the email address of a new one, not both.")
CUSTOMER_MISSING = _("Pick an existing customer or enter the email address of a new one.")
REQUESTER_NOT_FOUND = _("No customer with this username or email address.")
CALLER_TICKET_CHOOSE = _("Choose one of the caller's open tickets or a new ticket.")


def category_choices() -> list[tuple[str, str]]:
    choices = [("", _("I don't know"))]
    for cat in category_tree():
        # Non-breaking spaces indent the tree inside a plain <select>.
        choices.append((str(cat.pk), "\u00a0\u00a0\u00a0" * cat.depth + cat.localized_name))  # type: ignore[attr-defined]
    return choices


class CategoryField(forms.ChoiceField):
    """A category picker in tree order; cleans to a ``Category`` or None."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=category_choices, **kwargs)

    def clean(self, value: Any) -> Category | None:
        value = super().clean(value)
        if not value:
            return None
        return Category.objects.filter(pk=int(value)).first()


def _max_size_text() -> str:
    return gettext("Up to %(max)s.") % {"max": filesizeformat(settings.HELPDESK_MAX_ATTACHMENT_BYTES)}


# Lazy: evaluated when the form renders, in the language of that request.
_max_size_help = lazy(_max_size_text, str)


class AttachmentField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachment"))
        kwargs.setdefault("help_text", _max_size_help())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> UploadedFile | None:
        file = super().clean(data, initial)
        if file and file.size > settings.HELPDESK_MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(
                ATTACHMENT_TOO_LARGE % {"max": filesizeformat(settings.HELPDESK_MAX_ATTACHMENT_BYTES)}
            )
        return file or None


def _text(label: Any, *, rows: int = 6, required: bool = True, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=settings.HELPDESK_MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
    )


# --- Portal -------------------------------------------------------------------


class PortalTicketForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    description = _text(_("Describe the problem"), rows=7)
    category = CategoryField(label=_("What is it about?"))
    impact = forms.ChoiceField(
        label=_("Who is affected?"), choices=IMPACT_PLAIN, initial=Level.LOW, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"), choices=URGENCY_PLAIN, initial=Level.MEDIUM, widget=forms.RadioSelect
    )
    attachment = AttachmentField()


class PortalReplyForm(forms.Form):
    # Not marked "optional": a message or a file is required (checked in clean()).
    body = _text(_("Your reply"), rows=5, required=False, data_optional_hidden="1")
    attachment = AttachmentField()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachment") and not self.errors:
            raise forms.ValidationError(REPLY_EMPTY)
        return data


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you received?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = _text(_("Comment"), rows=3, required=False)


# --- Agent workspace --------------------------------------------------------


class ComposerForm(forms.Form):
    """A public reply or an internal note; ``version`` is the ticket version the agent was looking at."""

    body = _text(_("Message"), rows=6)
    attachment = AttachmentField()
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ResolveForm(forms.Form):
    resolution = _text(_("Solution for the customer"), rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolution"].help_text = _(
            "The customer gets this text as the solution: on the request page and in the “solved” email. "
            "Keep internal details out of it; write an internal note for those."
        )


class TriageForm(forms.Form):
    category = CategoryField(label=_("Category"))
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Level.choices)
    priority = forms.ChoiceField(
        label=_("Priority override"),
        required=False,
        choices=[("", _("From impact × urgency")), *Priority.choices],
    )
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet")
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(tier=ticket.tier)
        self.fields["assignee"].queryset = User.objects.filter(
            Q(role__in=[User.Role.AGENT, User.Role.SUPERVISOR]) | Q(is_superuser=True), is_active=True
        ).order_by("first_name", "username")
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username

    @staticmethod
    def initial_for(ticket: Ticket, tag_names: list[str]) -> dict[str, Any]:
        return {
            "category": ticket.category_id or "",
            "impact": ticket.impact,
            "urgency": ticket.urgency,
            "priority": ticket.priority if ticket.priority_overridden else "",
            "status": ticket.status,
            "team": ticket.team_id,
            "assignee": ticket.assignee_id,
            "tags": ", ".join(tag_names),
            "version": ticket.version,
        }

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class FastSelect(forms.Select):
    """A ``<select>`` built in Python: the same markup as Django's, without a template per option
    (the queue's agent picker has hundreds of them, on every queue page)."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


# The queue's agent picker: the agents' names, kept in the cache this long (the picker is on every
# queue page; a new agent appears in it within a minute).
AGENT_CHOICES_SECONDS = 60


def agent_choices() -> list[tuple[int, str]]:
    """Active agents and supervisors as (id, full name), by name."""
    choices = cache.get("tickets:agent_choices")
    if choices is None:
        agents = User.objects.filter(role__in=(User.Role.AGENT, User.Role.SUPERVISOR), is_active=True)
        agents = agents.order_by("first_name", "last_name", "username").only(
            "username", "first_name", "last_name"
        )
        choices = [(u.pk, u.get_full_name() or u.username) for u in agents]
        cache.set("tickets:agent_choices", choices, AGENT_CHOICES_SECONDS)
    return choices


class TagNamesField(forms.CharField):
    """Comma-separated tag names; cleans to a list of them (empty: [])."""

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return sorted({n.strip().lower() for n in text.split(",") if n.strip()})  # as tags are stored


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class QueueFilterForm(forms.Form):
    TABS = [
        ("mine", _("Mine")),
        ("team", _("My teams")),
        ("unassigned", _("Unassigned")),
        ("open", _("All open")),
    ]
    SORTS = [
        ("newest", _("Newest first")),
        ("oldest", _("Oldest first")),
        ("resolution_due", _("Resolution due")),
        ("first_response_due", _("First response due")),
        ("priority", _("Priority")),
        ("updated", _("Recently updated")),
    ]
    # The filters beyond the first row, folded under "More filters" unless one of them is set.
    MORE = (
        "assignee",
        "channel",
        "sla_state",
        "tags",
        "requester",
        "created_after",
        "created_before",
        "updated_after",
        "updated_before",
    )
    tab = forms.ChoiceField(choices=TABS, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any open")), *Ticket.Status.choices, ("any", _("Any status"))],
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), (1, "1"), (2, "2"), (3, "3")],
    )
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.all(), empty_label=_("Any")
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any")), *Priority.choices]
    )
    category = CategoryField(label=_("Category"))
    assignee = forms.TypedChoiceField(
        label=_("Assignee"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=lambda: [("", _("Any")), *agent_choices()],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Ticket.Channel.choices]
    )
    sla_state = forms.ChoiceField(
        label=_("SLA"), required=False, choices=[("", _("Any")), *Ticket.SlaState.choices]
    )
    tags = TagNamesField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated; tickets with any of them."),
    )
    requester = forms.CharField(
        label=_("Requester"),
        required=False,
        max_length=254,
        help_text=_("Username or email address of the customer."),
    )
    created_after = forms.DateField(label=_("Created on or after"), required=False, widget=DayInput())
    created_before = forms.DateField(label=_("Created before"), required=False, widget=DayInput())
    updated_after = forms.DateField(label=_("Updated on or after"), required=False, widget=DayInput())
    updated_before = forms.DateField(label=_("Updated before"), required=False, widget=DayInput())
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=settings.HELPDESK_MAX_SEARCH_CHARS,
        widget=forms.TextInput(attrs={"data-shortcut": "/"}),  # static/js/shortcuts.js
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    cursor = forms.CharField(required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any")), *category_choices()[1:]]
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(attrs=field.widget.attrs)
                field.widget.choices = field.choices

    def clean_requester(self) -> User | None:
        """A customer by username or email address, else by id (how a saved view stores them)."""
        value = self.cleaned_data["requester"].strip()
        try:
            return customer_by_login(value)
        except forms.ValidationError as error:
            by_id = value.isdigit() and User.objects.filter(pk=int(value), role=User.Role.CUSTOMER).first()
            if by_id:
                return by_id
            raise forms.ValidationError(
                REQUESTER_NOT_FOUND if error.message == CUSTOMER_NOT_FOUND else error.message
            ) from None

    @property
    def more_open(self) -> bool:
        """Whether "More filters" starts open: one of them is set (or has an error)."""
        return any(self.data.get(name) for name in self.MORE) or any(n in self.errors for n in self.MORE)

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MORE]

    def filters(self) -> dict[str, Any]:
        """The valid filters as plain values (ids, strings, ISO dates): what ``agent_queue_qs`` takes
        and what a saved view stores. Empty ones are left out; tab and sort too."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name in ("sort", "cursor") or value in (None, "", []):
                continue
            if isinstance(value, Model):
                value = value.pk
            elif isinstance(value, date):
                value = value.isoformat()
            out[name] = value
        return out


def queue_filter_params(filters: dict[str, Any]) -> dict[str, str]:
    """QueueFilterForm's data for stored ``filters`` (the inverse of ``QueueFilterForm.filters``):
    the requester's id becomes their username again (one query, only when it is set)."""
    params = {}
    for name, value in filters.items():
        if name == "tags":
            value = ", ".join(value)
        elif name == "requester":
            value = User.objects.filter(pk=value).values_list("username", flat=True).first() or ""
        params[name] = str(value)
    return params


def customer_by_login(value: str) -> User | None:
    """The one customer whose username or email address is ``value``; None for an empty value.

    Raises ``ValidationError`` when none or several match."""
    value = value.strip()
    if not value:
        return None
    matches = list(
        User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value), role=User.Role.CUSTOMER)[:2]
    )
    if not matches:
        raise forms.ValidationError(CUSTOMER_NOT_FOUND)
    if len(matches) > 1:
        exact = [u for u in matches if u.username.lower() == value.lower()]
        if len(exact) != 1:
            raise forms.ValidationError(CUSTOMER_AMBIGUOUS)
        return exact[0]
    return matches[0]


OPEN_REQUESTS_NAMED = 3


def open_requests_warning(tickets: list[Ticket]) -> str:
    """“This caller has 2 open requests: …”, naming the newest few by reference and subject."""
    named = "; ".join(f"{t.reference} {t.subject}" for t in tickets[:OPEN_REQUESTS_NAMED])
    more = len(tickets) - OPEN_REQUESTS_NAMED
    if more > 0:
        named = ngettext("%(named)s and %(more)d more", "%(named)s and %(more)d more", more) % {
            "named": named,
            "more": more,
        }
    return ngettext(
        "This caller has %(count)d open request: %(tickets)s.",
        "This caller has %(count)d open requests: %(tickets)s.",
        len(tickets),
    ) % {"count": len(tickets), "tickets": named}


class PhoneTicketForm(forms.Form):
    """An agent records a phone call: a new ticket on behalf of a customer, or a message on one of the
    caller's open tickets. ``ticket`` is "new", the pk of one of the caller's open tickets, or empty
    (then a new ticket, unless the caller has open ones: they are named and the agent chooses)."""

    NEW = "new"
    ADD_AS = [("note", _("Internal note")), ("reply", _("Public message (the customer sees it)"))]

    customer = forms.CharField(
        label=_("Existing customer"),
        required=False,
        max_length=254,
        help_text=_("Username or email address."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "list": "customer-options",
                # Suggestions while typing: the matching customers as <option>s of the datalist.
                "hx-get": "/agent/customers/",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#customer-options",
                "hx-swap": "innerHTML",
                "hx-params": "customer",
            }
        ),
    )
    new_customer_email = forms.EmailField(label=_("Or a new customer's email address"), required=False)
    new_customer_first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    new_customer_last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    ticket = forms.CharField(required=False, max_length=20)
    add_as = forms.ChoiceField(
        label=_("Add the call as"), choices=ADD_AS, initial="note", widget=forms.RadioSelect, required=False
    )
    # Not marked "optional": required for a new ticket (checked in clean()).
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"data_optional_hidden": "1"}),
    )
    description = _text(_("What did the customer report?"), rows=6)
    category = CategoryField(label=_("Category"))
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices, initial=Level.MEDIUM)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Level.choices, initial=Level.MEDIUM)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Ticket.Channel.choices, initial=Ticket.Channel.PHONE
    )
    assign_to_me = forms.BooleanField(label=_("Assign to me"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.caller_tickets: list[Ticket] = []

    def clean_customer(self) -> User | None:
        return customer_by_login(self.cleaned_data["customer"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_existing = bool(data.get("customer"))
        has_new = bool(data.get("new_customer_email"))
        if "customer" in self.errors or "new_customer_email" in self.errors:
            return data
        if has_existing and has_new:
            raise forms.ValidationError(CUSTOMER_EITHER)
        if not has_existing and not has_new:
            raise forms.ValidationError(CUSTOMER_MISSING)
        data["existing_ticket"] = self._existing_ticket(data)
        if data["existing_ticket"] is None and not (data.get("subject") or "").strip():
            self.add_error("subject", self.fields["subject"].error_messages["required"])
        return data

    def _existing_ticket(self, data: dict[str, Any]) -> Ticket | None:
        """The caller's open ticket the call goes onto, or None for a new ticket."""
        choice = (data.get("ticket") or "").strip()
        if data.get("customer"):
            self.caller_tickets = requester_open_tickets(user=self.user, requester=data["customer"])
        if choice == self.NEW:
            return None
        if not choice:
            if self.caller_tickets:
                # Not a duplicate by default: the page names the caller's open requests; the agent chooses.
                self.add_error("ticket", CALLER_TICKET_CHOOSE)
            return None
        for ticket in self.caller_tickets:
            if str(ticket.pk) == choice:
                return ticket
        self.add_error("ticket", CALLER_TICKET_CHOOSE)
        return None

"""SLA policies, their business-hours calendars, and the SLA state of each ticket."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import businesstime

PRIORITIES = ("P1", "P2", "P3", "P4")
TIERS = (1, 2, 3)

GERMAN_STATES = [
    ("BB", "Brandenburg"),
    ("BE", "Berlin"),
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("HB", "Bremen"),
    ("HE", "Hessen"),
    ("HH", "Hamburg"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SH", "Schleswig-Holstein"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("TH", "Thüringen"),
]


def default_working_hours() -> dict[str, list[list[str]]]:
    return {str(day): [["08:00", "17:00"]] for day in range(5)}


def default_warning_percent() -> int:
    return int(getattr(settings, "SLA_WARNING_PERCENT", 80))


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


def validate_working_hours(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(
            _('Working hours are a mapping of weekday to periods, e.g. {"0": [["08:00", "17:00"]]}.')
        )
    try:
        businesstime.parse_working_hours(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Invalid working hours: %(error)s"), params={"error": exc}) from exc


class Calendar(models.Model):
    """Business hours: a time zone, working periods per weekday, and holidays."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    # {"0": [["08:00", "17:00"]], …}: weekday 0 = Monday, local wall-clock times, "24:00" allowed as an end.
    working_hours = models.JSONField(
        _("working hours"), default=default_working_hours, validators=[validate_working_hours]
    )
    holiday_state = models.CharField(
        _("German federal state (public holidays)"),
        max_length=2,
        blank=True,
        choices=GERMAN_STATES,
        help_text=_("Empty: nationwide public holidays only."),
    )
    always_open = models.BooleanField(
        _("24/7"), default=False, help_text=_("Every hour counts; no holidays.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return self.name

    def schedule(self) -> businesstime.Schedule:
        """The pure schedule for the arithmetic (one query for the custom holidays)."""
        return businesstime.Schedule(
            timezone=self.timezone,
            hours=businesstime.parse_working_hours(self.working_hours),
            holiday_state=self.holiday_state,
            custom_holidays={h.date: h.name for h in self.custom_holidays.all()},
            always_open=self.always_open,
            language="de" if (get_language() or "en").startswith("de") else "en_US",
        )


class CustomHoliday(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="custom_holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_custom_holiday_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class SlaPolicy(models.Model):
    """Targets per priority, in business minutes of a calendar.

    A ticket gets the most specific matching policy: customer and category > customer > the
    contract policy of the requester's primary organisation (``organisations``) > category (a nearer
    category before its parents) > the default policy.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="policies")
    p1_first_response = models.PositiveIntegerField(_("P1 first response (minutes)"), default=30)
    p1_resolution = models.PositiveIntegerField(_("P1 resolution (minutes)"), default=240)
    p2_first_response = models.PositiveIntegerField(_("P2 first response (minutes)"), default=60)
    p2_resolution = models.PositiveIntegerField(_("P2 resolution (minutes)"), default=480)
    p3_first_response = models.PositiveIntegerField(_("P3 first response (minutes)"), default=240)
    p3_resolution = models.PositiveIntegerField(_("P3 resolution (minutes)"), default=1440)
    p4_first_response = models.PositiveIntegerField(_("P4 first response (minutes)"), default=480)
    p4_resolution = models.PositiveIntegerField(_("P4 resolution (minutes)"), default=2880)
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at (% of target)"), default=default_warning_percent
    )
    tier1_share = models.PositiveSmallIntegerField(_("Tier 1 share (%)"), default=30)
    tier2_share = models.PositiveSmallIntegerField(_("Tier 2 share (%)"), default=50)
    tier3_share = models.PositiveSmallIntegerField(_("Tier 3 share (%)"), default=20)
    auto_escalate_on_breach = models.BooleanField(_("escalate automatically on breach"), default=False)
    is_default = models.BooleanField(_("default policy"), default=False)
    category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        verbose_name=_("category"),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        limit_choices_to={"role": "customer"},
        verbose_name=_("customer"),
    )

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_sla_policy"
            ),
            models.CheckConstraint(
                condition=models.Q(tier1_share__lte=100, tier2_share__lte=100, tier3_share__lte=100),
                name="sla_tier_shares_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(tier1_share=100 - models.F("tier2_share") - models.F("tier3_share")),
                name="sla_tier_shares_sum_100",
                violation_error_message=_("The tier shares must add up to 100 %%."),
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_warning_percent_1_to_99",
                violation_error_message=_("Warn at 1 to 99 %% of the target."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.customer_id and not self.customer.is_customer:
            raise ValidationError({"customer": _("Choose a customer.")})

    def first_response_minutes(self, priority: str) -> int:
        return int(getattr(self, f"{priority.lower()}_first_response"))

    def resolution_minutes(self, priority: str) -> int:
        return int(getattr(self, f"{priority.lower()}_resolution"))

    def target_minutes(self, target: str, priority: str) -> int:
        if target == TicketSla.Target.FIRST_RESPONSE:
            return self.first_response_minutes(priority)
        return self.resolution_minutes(priority)

    def tier_share(self, tier: int) -> int:
        return int(getattr(self, f"tier{tier}_share"))

    @property
    def targets(self) -> dict[str, dict[str, int]]:
        return {
            p: {"first_response": self.first_response_minutes(p), "resolution": self.resolution_minutes(p)}
            for p in PRIORITIES
        }


class TicketSla(models.Model):
    """The SLA clock of one ticket.

    Due times are ``start + target + paused business time`` in the policy's calendar; the
    paused time is kept here (not in the policy) so it survives priority and policy changes.
    ``*_warn_at`` and the copies of the due times let the sweep find crossings on this one
    table through partial indexes.
    """

    class Target(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    # Business seconds the clock stood still (pending, or resolved before a reopen), and each pause.
    paused_seconds = models.PositiveBigIntegerField(default=0)
    pauses = models.JSONField(default=list, blank=True)
    pause_started_at = models.DateTimeField(null=True, blank=True)
    # Set while the ticket is resolved or closed: no clock runs.
    stopped_at = models.DateTimeField(null=True, blank=True)

    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)

    # None while open; True/False once the target was met or missed.
    first_response_met = models.BooleanField(null=True, blank=True)
    resolution_met = models.BooleanField(null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)

    # Tier shares: business seconds used at each tier; the running segment started at tier_since.
    current_tier = models.PositiveSmallIntegerField(default=1)
    tier_since = models.DateTimeField(null=True, blank=True)
    tier1_seconds = models.PositiveBigIntegerField(default=0)
    tier2_seconds = models.PositiveBigIntegerField(default=0)
    tier3_seconds = models.PositiveBigIntegerField(default=0)
    auto_escalated_at = models.DateTimeField(null=True, blank=True)

    # Business seconds the clock ran (the policy's calendar, paused time not counted) from its start
    # to the first public agent response (set once), and to the resolution (set when the clock stops,
    # cleared on a reopen, so a re-resolve writes the new total). None without a policy.
    first_response_business_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    resolution_business_seconds = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket SLA")
        indexes = [
            # One partial index per crossing the sweep looks for; rows leave it once handled.
            models.Index(
                fields=["first_response_warn_at"],
                name="sla_fr_warn_pending",
                condition=models.Q(
                    first_response_met__isnull=True,
                    first_response_warned_at__isnull=True,
                    first_response_breached_at__isnull=True,
                    pause_started_at__isnull=True,
                    stopped_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["first_response_due"],
                name="sla_fr_breach_pending",
                condition=models.Q(
                    first_response_met__isnull=True,
                    first_response_breached_at__isnull=True,
                    pause_started_at__isnull=True,
                    stopped_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["resolution_warn_at"],
                name="sla_res_warn_pending",
                condition=models.Q(
                    resolution_met__isnull=True,
                    resolution_warned_at__isnull=True,
                    resolution_breached_at__isnull=True,
                    pause_started_at__isnull=True,
                    stopped_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["resolution_due"],
                name="sla_res_breach_pending",
                condition=models.Q(
                    resolution_met__isnull=True,
                    resolution_breached_at__isnull=True,
                    pause_started_at__isnull=True,
                    stopped_at__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"SLA of #{self.ticket_id}"

    def tier_seconds(self, tier: int) -> int:
        return int(getattr(self, f"tier{tier}_seconds"))


class SlaAlert(models.Model):
    """A warning or breach of one target of one ticket. The unique constraint makes each happen once."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_alerts")
    target = models.CharField(max_length=16, choices=TicketSla.Target.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    tier = models.PositiveSmallIntegerField()
    # The tier charged with a breach: the one that overran its share of the resolution target most.
    charged_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    due = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "kind"], name="one_sla_alert_per_target_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} #{self.ticket_id}"

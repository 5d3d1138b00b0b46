"""Input and output shapes of the SLA API. Targets and tier shares are nested; the model keeps them flat."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import User
from tickets.models import Category

from . import businesstime
from .models import TIERS, Calendar, SlaPolicy

TARGET_NAMES = ("first_response", "resolution")
MAX_TARGET_MINUTES = 366 * 24 * 60


class CustomHolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=100)


class CalendarOutputSerializer(serializers.ModelSerializer):
    custom_holidays = CustomHolidaySerializer(many=True, read_only=True)

    class Meta:
        model = Calendar
        fields = [
            "id",
            "name",
            "timezone",
            "working_hours",
            "holiday_state",
            "always_open",
            "custom_holidays",
        ]
        read_only_fields = fields


class CalendarInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    timezone = serializers.CharField(max_length=64, default="Europe/Berlin")
    working_hours = serializers.JSONField(required=False)
    holiday_state = serializers.ChoiceField(
        choices=[c for c, _n in Calendar._meta.get_field("holiday_state").choices],
        allow_blank=True,
        default="",
    )
    always_open = serializers.BooleanField(default=False)
    custom_holidays = CustomHolidaySerializer(many=True, required=False)

    def __init__(self, *args: Any, calendar: Calendar | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calendar = calendar

    def validate_name(self, value: str) -> str:
        qs = Calendar.objects.filter(name=value)
        if self.calendar is not None:
            qs = qs.exclude(pk=self.calendar.pk)
        if qs.exists():
            raise serializers.ValidationError(_("A calendar with this name exists."))
        return value

    def validate_timezone(self, value: str) -> str:
        import zoneinfo

        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(_("Unknown time zone."))
        return value

    def validate_working_hours(self, value: Any) -> dict:
        if not isinstance(value, dict):
            raise serializers.ValidationError(_('Use {"0": [["08:00", "17:00"]], …} with 0 = Monday.'))
        try:
            parsed = businesstime.parse_working_hours(value)
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(str(exc)) from exc
        # Stored in one canonical shape.
        return {
            str(day): [[f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in spans]
            for day, spans in sorted(parsed.items())
        }

    def validate_custom_holidays(self, value: list[dict]) -> list[dict]:
        days = [h["date"] for h in value]
        if len(days) != len(set(days)):
            raise serializers.ValidationError(_("Each day at most once."))
        return value


class TargetSerializer(serializers.Serializer):
    first_response = serializers.IntegerField(min_value=1, max_value=MAX_TARGET_MINUTES, required=False)
    resolution = serializers.IntegerField(min_value=1, max_value=MAX_TARGET_MINUTES, required=False)


class TargetsField(serializers.Serializer):
    P1 = TargetSerializer(required=False)
    P2 = TargetSerializer(required=False)
    P3 = TargetSerializer(required=False)
    P4 = TargetSerializer(required=False)


class TierSharesField(serializers.Serializer):
    # JSON object keys are strings: {"1": 30, "2": 50, "3": 20}
    def to_internal_value(self, data: Any) -> dict[int, int]:
        if not isinstance(data, dict) or {str(k) for k in data} != {"1", "2", "3"}:
            raise serializers.ValidationError(_('Give all three shares, e.g. {"1": 30, "2": 50, "3": 20}.'))
        try:
            shares = {int(k): int(v) for k, v in data.items()}
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(_("Shares are whole percentages.")) from exc
        if any(not 0 <= v <= 100 for v in shares.values()):
            raise serializers.ValidationError(_("Shares are whole percentages."))
        if sum(shares.values()) != 100:
            raise serializers.ValidationError(_("The tier shares must add up to 100 %."))
        return shares

    def to_representation(self, instance: Any) -> Any:
        return instance


class PolicyOutputSerializer(serializers.ModelSerializer):
    targets = serializers.SerializerMethodField()
    tier_shares = serializers.SerializerMethodField()

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "calendar",
            "targets",
            "warning_percent",
            "tier_shares",
            "auto_escalate_on_breach",
            "is_default",
            "category",
            "customer",
        ]
        read_only_fields = fields

    def get_targets(self, policy: SlaPolicy) -> dict[str, dict[str, int]]:
        return policy.targets

    def get_tier_shares(self, policy: SlaPolicy) -> dict[str, int]:
        return {str(t): policy.tier_share(t) for t in TIERS}


class PolicyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    calendar = serializers.PrimaryKeyRelatedField(queryset=Calendar.objects.all())
    targets = TargetsField(required=False)
    warning_percent = serializers.IntegerField(min_value=1, max_value=99, required=False)
    tier_shares = TierSharesField(required=False)
    auto_escalate_on_breach = serializers.BooleanField(required=False)
    is_default = serializers.BooleanField(required=False)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), allow_null=True, required=False
    )
    customer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=User.Role.CUSTOMER, is_superuser=False),
        allow_null=True,
        required=False,
    )

    def __init__(self, *args: Any, policy: SlaPolicy | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy

    def validate_name(self, value: str) -> str:
        qs = SlaPolicy.objects.filter(name=value)
        if self.policy is not None:
            qs = qs.exclude(pk=self.policy.pk)
        if qs.exists():
            raise serializers.ValidationError(_("A policy with this name exists."))
        return value

    def to_model_fields(self) -> dict[str, Any]:
        """The validated data as the model's flat fields."""
        data = dict(self.validated_data)
        fields: dict[str, Any] = {}
        for priority, values in (data.pop("targets", None) or {}).items():
            for target, minutes in values.items():
                fields[f"{priority.lower()}_{target}"] = minutes
        for tier, share in (data.pop("tier_shares", None) or {}).items():
            fields[f"tier{tier}_share"] = share
        if self.policy is None and "warning_percent" not in data:
            data["warning_percent"] = settings.SLA_WARNING_PERCENT
        return {**data, **fields}

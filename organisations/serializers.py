from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sla.models import SlaPolicy

from .models import Membership, Organisation


class OrganisationOutputSerializer(serializers.ModelSerializer):
    """What agents read (notes and the contract included)."""

    domains = serializers.SerializerMethodField()
    member_count = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id", "name", "domains", "members_see_all_tickets", "notes", "sla_policy", "contract",
            "contract_starts", "contract_ends", "member_count", "created_at",
        ]  # fmt: skip

    def get_domains(self, org: Organisation) -> list[str]:
        return [d.domain for d in org.domains.all()]

    def get_member_count(self, org: Organisation) -> int:
        return len(org.memberships.all())


class MemberOrganisationSerializer(serializers.ModelSerializer):
    """What a member reads about their own organisation: no notes for agents, no contract."""

    domains = serializers.SerializerMethodField()
    membership = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "domains", "members_see_all_tickets", "membership"]

    def get_domains(self, org: Organisation) -> list[str]:
        return [d.domain for d in org.domains.all()]

    def get_membership(self, org: Organisation) -> dict[str, Any] | None:
        user = self.context["request"].user
        for m in org.memberships.all():
            if m.user_id == user.pk:
                return {
                    "is_primary": m.is_primary,
                    "sees_all_tickets": m.sees_all_tickets,
                    "is_manager": m.is_manager,
                }
        return None


class OrganisationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, max_length=50
    )
    members_see_all_tickets = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    sla_policy = serializers.PrimaryKeyRelatedField(
        queryset=SlaPolicy.objects.all(), required=False, allow_null=True
    )
    contract = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contract_starts = serializers.DateField(required=False, allow_null=True)
    contract_ends = serializers.DateField(required=False, allow_null=True)


class MembershipSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "name", "email", "is_primary", "sees_all_tickets", "is_manager", "created_at"]
        read_only_fields = ["id", "name", "email", "created_at"]

    def get_name(self, m: Membership) -> str:
        return m.user.get_full_name() or m.user.email


class MembershipInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False)
    email = serializers.EmailField(required=False)
    is_primary = serializers.BooleanField(required=False)
    sees_all_tickets = serializers.BooleanField(required=False)
    is_manager = serializers.BooleanField(required=False)

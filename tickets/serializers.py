"""Input and output shapes of the ticket API. Inputs list exactly what each caller may set."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Team, User

from .models import (
    SYSTEM_AUTHOR,
    Attachment,
    Category,
    EscalationPath,
    Level,
    Message,
    Priority,
    Rating,
    Ticket,
    TicketEvent,
)

MAX_BODY = settings.HELPDESK_MAX_BODY_CHARS
# Fields that are SLA internals: a customer gets them as null (SECURITY.md "Who sees what").
CUSTOMER_HIDDEN_FIELDS = ("sla_state", "first_response_due", "resolution_due")


def _is_agent(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_agent)


# --- organisation -----------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "name_de", "parent"]

    def validate_parent(self, parent: Category | None) -> Category | None:
        # A category may not become its own ancestor.
        node, seen = parent, set()
        while node is not None and self.instance is not None and node.pk not in seen:
            if node.pk == self.instance.pk:
                raise serializers.ValidationError(_("A category cannot be inside itself."))
            seen.add(node.pk)
            node = node.parent
        return parent


class EscalationPathSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationPath
        fields = ["id", "category", "tier", "team"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        team = attrs.get("team", getattr(self.instance, "team", None))
        tier = attrs.get("tier", getattr(self.instance, "tier", None))
        if team is not None and tier is not None and team.tier != tier:
            raise serializers.ValidationError({"team": [_("That team works at another tier.")]})
        return attrs


# --- tickets ----------------------------------------------------------------------------------


class TicketOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    sla_state = serializers.ChoiceField(choices=Ticket.SlaState.choices, allow_null=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "description",
            "requester",
            "channel",
            "category",
            "impact",
            "urgency",
            "priority",
            "status",
            "tier",
            "team",
            "assignee",
            "language",
            "tags",
            "created_at",
            "updated_at",
            "first_response_due",
            "resolution_due",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "sla_state",
            "escalation_count",
            "reopen_count",
            "resolution",
            "version",
            "merged_into",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Ticket) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not _is_agent(self.context):
            for name in CUSTOMER_HIDDEN_FIELDS:
                data[name] = None
            # Merged into another customer's ticket (confirmed by an agent): not theirs to look up.
            data["merged_into"] = None
        return data


class TicketCreateInputSerializer(serializers.Serializer):
    """What a customer may send. Anything else in the body is ignored."""

    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=MAX_BODY)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True, default=None
    )
    impact = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    urgency = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)


class AgentTicketCreateInputSerializer(TicketCreateInputSerializer):
    """Agents may also log a ticket on behalf of someone (e.g. a phone call)."""

    requester = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, default=Ticket.Channel.API)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False, default=list
    )


class TicketUpdateInputSerializer(serializers.Serializer):
    """Triage by an agent. Only fields that are sent change."""

    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Level.choices, required=False)
    urgency = serializers.ChoiceField(choices=Level.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False)
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The ticket version the change was made against; a newer one on the server is a 409.",
    )


class MessageOutputSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    author_kind = serializers.ChoiceField(
        choices=["customer", "agent", "system"],
        read_only=True,
        help_text="Who wrote it: the customer, an agent, or the helpdesk itself (system, no author).",
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "author",
            "author_name",
            "body",
            "internal",
            "by_agent",
            "system",
            "author_kind",
            "channel",
            "created_at",
        ]
        read_only_fields = fields

    def get_author_name(self, message: Message) -> str:
        if message.system:
            return str(SYSTEM_AUTHOR)
        author = message.author
        if author is None:
            return ""
        return author.get_full_name() or author.username


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_BODY)
    internal = serializers.BooleanField(default=False)
    version = serializers.IntegerField(min_value=1, required=False)


class AttachmentOutputSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "ticket",
            "message",
            "filename",
            "content_type",
            "size",
            "internal",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment: Attachment) -> str:
        url = reverse("tickets_api:attachment-download", args=[attachment.ticket_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, max_length=1000)
    internal = serializers.BooleanField(default=False)


class EventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketEvent
        fields = ["id", "ticket", "kind", "actor", "field", "old_value", "new_value", "data", "created_at"]
        read_only_fields = fields


class ResolveInputSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=MAX_BODY)
    article = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class RatingInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RatingOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "ticket", "score", "comment", "created_at"]
        read_only_fields = fields

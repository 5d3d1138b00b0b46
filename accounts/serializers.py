"""Input and output shapes of the people and organisation API."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from .models import Team, User


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    # The second factor for people who turned it on: a code of their authenticator app or a recovery code.
    otp = serializers.CharField(max_length=32, required=False, allow_blank=True)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class UserOutputSerializer(serializers.ModelSerializer):
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "role", "language", "teams"]
        read_only_fields = fields


class UserCreateInputSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150,
        validators=[
            UnicodeUsernameValidator(),
            UniqueValidator(
                queryset=User.objects.all(), lookup="iexact", message=_("That username is taken.")
            ),
        ],
    )
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, write_only=True, trim_whitespace=False)
    role = serializers.ChoiceField(choices=User.Role.choices, default=User.Role.CUSTOMER)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="")
    teams = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Team.objects.all(), required=False, default=list
    )
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "tier", "specialty", "is_default_for_tier", "routing", "max_open_per_agent"]

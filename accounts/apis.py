"""People and organisation API: token, users, teams."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apitokens.authentication import SETUP_2FA
from apitokens.services import api_token_for_login
from helpdesk.errors import ConflictError
from sso.backends import REFUSED_FLAG
from sso.services import STAFF_PASSWORDS_OFF
from twofactor.selectors import has_two_factor, setup_required
from twofactor.services import two_factor_check

from .models import Team, User
from .permissions import IsAgent, IsSupervisor, IsSupervisorOrAgentReadOnly
from .serializers import (
    TeamSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    UserCreateInputSerializer,
    UserOutputSerializer,
)
from .services import user_create
from .throttles import LoginAddressThrottle, LoginUsernameThrottle

# The same message for an unknown user, a wrong password and an inactive account.
BAD_CREDENTIALS = _("Unable to log in with the provided credentials.")
IN_USE = _("It is still in use.")
OTP_REQUIRED = _("Enter the code of your authenticator app or a recovery code.")


class TokenObtainApi(APIView):
    """Exchange a username and password (and the second factor, when on) for a new personal API token.

    Use it as ``Authorization: Bearer <token>`` (``Token <token>`` works too). Each sign-in issues a new
    token with full access that expires after HELPDESK_API_LOGIN_TOKEN_DAYS; it is listed with the
    person's other tokens and can be revoked there.
    """

    authentication_classes: list = []  # no session: the token endpoint needs no CSRF cookie
    permission_classes = [AllowAny]
    throttle_classes = [LoginAddressThrottle, LoginUsernameThrottle]

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None and getattr(request._request, REFUSED_FLAG, False):
            raise PermissionDenied(STAFF_PASSWORDS_OFF)  # the right password, but staff use SSO
        if user is None or not user.is_active:
            raise serializers.ValidationError({"non_field_errors": [BAD_CREDENTIALS]})
        if has_two_factor(user=user):
            if not data.validated_data.get("otp"):
                raise serializers.ValidationError({"otp": [OTP_REQUIRED]})
            two_factor_check(user=user, code=data.validated_data["otp"], field="otp")
        elif setup_required(user=user):
            raise PermissionDenied(SETUP_2FA)
        token, raw = api_token_for_login(user=user)
        return Response({"token": raw, "expires_at": token.expires_at})


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Accounts: supervisors create, agents read, anyone signed in reads ``me``."""

    serializer_class = UserOutputSerializer
    filterset_fields = ["role", "teams"]
    ordering_fields = ["id", "username"]
    ordering = "id"

    def get_queryset(self):  # noqa: ANN201
        return User.objects.filter(is_active=True).prefetch_related("teams").order_by("id")

    def get_permissions(self) -> list:
        if self.action == "me":
            return [IsAuthenticated()]
        if self.action == "create":
            return [IsSupervisor()]
        return [IsAgent()]

    @extend_schema(request=UserCreateInputSerializer, responses={201: UserOutputSerializer})
    def create(self, request: Request) -> Response:
        data = UserCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(**data.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=UserOutputSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)


class TeamViewSet(viewsets.ModelViewSet):
    serializer_class = TeamSerializer
    permission_classes = [IsSupervisorOrAgentReadOnly]
    queryset = Team.objects.order_by("tier", "name")
    filterset_fields = ["tier"]
    ordering_fields = ["id", "name", "tier"]
    ordering = "id"
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def perform_destroy(self, instance: Team) -> None:
        try:
            instance.delete()
        except ProtectedError:
            raise ConflictError(IN_USE) from None

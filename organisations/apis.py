"""``/api/v1/organisations/`` and ``…/{id}/members/``: supervisors write, agents read, members read
their own organisations (without the notes for agents and the contract); others' are 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import IsSupervisorOrReadOnly
from helpdesk.errors import ApplicationError

from . import services
from .models import Membership, Organisation
from .selectors import is_manager, membership_visible_qs, organisation_visible_qs
from .serializers import (
    MemberOrganisationSerializer,
    MembershipInputSerializer,
    MembershipSerializer,
    OrganisationInputSerializer,
    OrganisationOutputSerializer,
)


@extend_schema(request=OrganisationInputSerializer, responses=OrganisationOutputSerializer)
class OrganisationViewSet(viewsets.ModelViewSet):
    permission_classes = [IsSupervisorOrReadOnly]
    ordering_fields = ["id", "name"]
    filterset_fields = ["sla_policy", "members_see_all_tickets"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        return (
            organisation_visible_qs(user=self.request.user)
            .prefetch_related(
                "domains",
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.only(
                        "id", "user_id", "organisation_id", "is_primary", "sees_all_tickets", "is_manager"
                    ),
                ),
            )
            .order_by("name")
        )

    def get_serializer_class(self) -> Any:
        if self.request.user.is_authenticated and not self.request.user.is_agent:
            return MemberOrganisationSerializer
        return OrganisationOutputSerializer

    def _out(self, org: Organisation, code: int = status.HTTP_200_OK) -> Response:
        org = self.get_queryset().get(pk=org.pk)
        return Response(self.get_serializer(org).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = OrganisationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organisation_save(**data.validated_data)
        return self._out(org, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org: Organisation = self.get_object()
        data = OrganisationInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        org = services.organisation_save(organisation=org, **data.validated_data)
        return self._out(org)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.organisation_delete(organisation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipViewSet(viewsets.ModelViewSet):
    """Members of one organisation: agents and its managers read all, another member only
    themselves; supervisors and the organisation's managers add, change and remove members."""

    serializer_class = MembershipSerializer
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            self._organisation = get_object_or_404(
                organisation_visible_qs(user=self.request.user), pk=self.kwargs["organisation_pk"]
            )
        return self._organisation

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return membership_visible_qs(user=self.request.user, organisation=self.organisation()).order_by("pk")

    def _check_write(self) -> None:
        user = self.request.user
        if not user.is_authenticated:
            raise PermissionDenied
        org = self.organisation()
        if not (user.is_supervisor or is_manager(user=user, organisation=org)):
            raise PermissionDenied

    @extend_schema(request=MembershipInputSerializer, responses={201: MembershipSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._check_write()
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        org, user_id, email = self.organisation(), fields.pop("user", None), fields.pop("email", None)
        if user_id is not None:
            user = User.objects.filter(pk=user_id).first()
            if user is None:
                raise ApplicationError(str(services.NO_SUCH_CUSTOMER), field="user")
            membership = services.member_add(organisation=org, user=user, by=request.user, **fields)
        elif email:
            membership = services.member_add_by_email(
                organisation=org, email=email, by=request.user, **fields
            )
        else:
            raise ApplicationError(str(services.NO_SUCH_CUSTOMER), field="email")
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipInputSerializer, responses=MembershipSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        self._check_write()
        data = MembershipInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {
            k: v
            for k, v in data.validated_data.items()
            if k in ("is_primary", "sees_all_tickets", "is_manager")
        }
        membership = services.member_update(membership=membership, by=request.user, **fields)
        return Response(MembershipSerializer(membership).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        self._check_write()
        services.member_remove(membership=membership, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

app_name = "organisations_api"

router = SimpleRouter()
router.register("organisations", apis.OrganisationViewSet, basename="organisation")
members = apis.MembershipViewSet.as_view({"get": "list", "post": "create"})
member = apis.MembershipViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})
urlpatterns = [
    *router.urls,
    path("organisations/<int:organisation_pk>/members/", members, name="organisation-members"),
    path("organisations/<int:organisation_pk>/members/<int:pk>/", member, name="organisation-member"),
]

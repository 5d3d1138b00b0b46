from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

app_name = "accounts_api"

router = SimpleRouter()
router.register("users", apis.UserViewSet, basename="user")
router.register("teams", apis.TeamViewSet, basename="team")

urlpatterns = [
    path("auth/token/", apis.TokenObtainApi.as_view(), name="token"),
    *router.urls,
]

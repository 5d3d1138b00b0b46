from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

app_name = "savedviews_api"

router = SimpleRouter()
router.register("views", apis.SavedViewViewSet, basename="view")

urlpatterns = [
    *router.urls,
    path("views/<int:pk>/tickets/", apis.SavedViewTicketsApi.as_view(), name="view-tickets"),
]

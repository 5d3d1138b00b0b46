from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

app_name = "privacy_api"
router = SimpleRouter()
router.register("privacy/retention-rules", apis.RetentionRuleViewSet, basename="retention-rule")
urlpatterns = [
    path("privacy/people/<int:pk>/export/", apis.PersonExportApi.as_view(), name="export"),
    path("privacy/people/<int:pk>/erasure-token/", apis.ErasureTokenApi.as_view(), name="erasure-token"),
    path("privacy/people/<int:pk>/erase/", apis.PersonEraseApi.as_view(), name="erase"),
    path("privacy/retention-runs/", apis.RetentionRunListApi.as_view(), name="retention-runs"),
    *router.urls,
]

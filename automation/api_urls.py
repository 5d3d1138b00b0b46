from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

app_name = "automation_api"
router = SimpleRouter()
router.register("macros", apis.MacroViewSet, basename="macro")
router.register("rules", apis.RuleViewSet, basename="rule")
urlpatterns = [
    path("tickets/<int:ticket_id>/apply-macro/", apis.TicketApplyMacroApi.as_view(), name="apply_macro"),
    path(
        "tickets/<int:ticket_id>/automation-log/",
        apis.TicketAutomationLogApi.as_view(),
        name="automation_log",
    ),
    *router.urls,
]

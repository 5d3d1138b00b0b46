from rest_framework.routers import SimpleRouter

from . import apis

app_name = "sla_api"

router = SimpleRouter()
router.register("sla-policies", apis.SlaPolicyViewSet, basename="policy")
router.register("sla-calendars", apis.SlaCalendarViewSet, basename="calendar")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from .apis import RecurringTicketViewSet

app_name = "recurring_api"
router = SimpleRouter()
router.register("recurring", RecurringTicketViewSet, basename="recurring")
urlpatterns = router.urls

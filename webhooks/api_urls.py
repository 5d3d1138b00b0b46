from rest_framework.routers import SimpleRouter

from .apis import WebhookViewSet

app_name = "webhooks_api"
router = SimpleRouter()
router.register("webhooks", WebhookViewSet, basename="webhook")
urlpatterns = router.urls

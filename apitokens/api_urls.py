from rest_framework.routers import SimpleRouter

from . import apis

app_name = "apitokens_api"

router = SimpleRouter()
router.register("tokens", apis.ApiTokenViewSet, basename="token")

urlpatterns = router.urls

from django.urls import path

from . import apis

app_name = "twofactor_api"
urlpatterns = [
    path("two-factor/", apis.TwoFactorStatusApi.as_view(), name="status"),
    path("users/<int:user_id>/two-factor/reset/", apis.TwoFactorResetApi.as_view(), name="reset"),
]

from django.urls import path

from .apis import MetricsSummaryApi

app_name = "reporting_api"
urlpatterns = [
    path("summary/", MetricsSummaryApi.as_view(), name="summary"),
]

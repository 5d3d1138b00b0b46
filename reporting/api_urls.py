from django.urls import path

from .apis import MetricsSummaryApi
from .timereport import TimeReportApi

app_name = "reporting_api"
urlpatterns = [
    path("summary/", MetricsSummaryApi.as_view(), name="summary"),
    path("time/", TimeReportApi.as_view(), name="time"),
]

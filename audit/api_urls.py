from django.urls import path

from .apis import AuditEntryListApi

app_name = "audit_api"
urlpatterns = [path("audit-log/", AuditEntryListApi.as_view(), name="list")]

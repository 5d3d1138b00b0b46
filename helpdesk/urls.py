from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("tickets.api_urls")),
    path("", include("escalation.api_urls")),
    path("kb/", include("knowledgebase.api_urls")),
    path("", include("sla.api_urls")),
    path("", include("notifications.api_urls")),
    path("metrics/", include("reporting.api_urls")),
    path("", include("webhooks.api_urls")),
    path("", include("timetracking.api_urls")),
    path("", include("recurring.api_urls")),
    path("", include("savedviews.api_urls")),
    path("", include("automation.api_urls")),
    path("", include("audit.api_urls")),
    path("", include("privacy.api_urls")),
    path("", include("apitokens.api_urls")),
    path("", include("twofactor.api_urls")),
    path("", include("organisations.api_urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("accounts/", include("accounts.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("", include("sso.urls")),
    path("saml2/", include("sso.saml_urls")),  # 404 unless SAML is configured
    path("", include("tickets.urls")),
    path("", include("escalation.urls")),
    path("", include("sla.urls")),
    path("", include("notifications.urls")),
    path("dashboard/", include("reporting.urls")),
    path("", include("mailin.urls")),
    path("", include("webhooks.urls")),
    path("", include("timetracking.urls")),
    path("", include("recurring.urls")),
    path("", include("savedviews.urls")),
    path("", include("automation.urls")),
    path("", include("audit.urls")),
    path("", include("privacy.urls")),
    path("", include("twofactor.urls")),
    path("", include("apitokens.urls")),
    path("", include("organisations.urls")),
    path("", include("importers.urls")),
    path("", include("chat.urls")),
    path("", include("knowledgebase.urls")),  # last: owns "/" and "/help/"
]

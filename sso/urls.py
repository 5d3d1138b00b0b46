from django.urls import path

from . import views

app_name = "sso"
urlpatterns = [
    path("agent/config/sso/", views.config, name="config"),
    path("agent/config/sso/settings/", views.settings_update, name="settings"),
    path("agent/config/sso/mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
    path("agent/config/sso/mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
]

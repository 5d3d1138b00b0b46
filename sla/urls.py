from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("agent/config/sla/", views.config, name="config"),
    path("agent/config/sla/policies/new/", views.policy_edit, name="policy_new"),
    path("agent/config/sla/policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("agent/config/sla/policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
    path("agent/config/sla/calendars/new/", views.calendar_edit, name="calendar_new"),
    path("agent/config/sla/calendars/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("agent/config/sla/calendars/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
]

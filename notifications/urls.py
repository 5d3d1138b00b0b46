from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("accounts/notifications/", views.preferences, name="preferences"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("agent/notifications/", views.inbox_list, name="inbox"),
    path("agent/notifications/badge/", views.inbox_badge, name="inbox_badge"),
    path("agent/notifications/read/", views.inbox_read, name="inbox_read"),
    path("agent/notifications/<int:pk>/open/", views.inbox_open, name="inbox_open"),
    path("agent/notifications/settings/", views.agent_preferences, name="agent_preferences"),
    path("agent/tickets/<int:pk>/follow/", views.ticket_follow_toggle, name="ticket_follow"),
]

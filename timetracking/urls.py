from django.urls import path

from . import views

app_name = "timetracking"
urlpatterns = [
    path("agent/tickets/<int:pk>/time/", views.entry_create, name="entry_create"),
    path("agent/tickets/<int:pk>/time/<int:entry_id>/", views.entry_edit, name="entry_edit"),
    path("agent/tickets/<int:pk>/time/<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path("agent/tickets/<int:pk>/timer/start/", views.timer_start, name="timer_start"),
    path("agent/tickets/<int:pk>/timer/stop/", views.timer_stop, name="timer_stop"),
    path("agent/tickets/<int:pk>/timer/discard/", views.timer_discard, name="timer_discard"),
]

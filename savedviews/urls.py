from django.urls import path

from . import views

app_name = "savedviews"
urlpatterns = [
    path("agent/views/new/", views.saved_view_new, name="new"),
    path("agent/views/<int:pk>/", views.saved_view_queue, name="queue"),
    path("agent/views/<int:pk>/count/", views.saved_view_count, name="count"),
    path("agent/views/<int:pk>/edit/", views.saved_view_edit, name="edit"),
    path("agent/views/<int:pk>/delete/", views.saved_view_delete, name="delete"),
]

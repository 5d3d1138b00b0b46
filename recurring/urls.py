from django.urls import path

from . import views

app_name = "recurring"
urlpatterns = [
    path("agent/config/recurring/", views.recurring_list, name="list"),
    path("agent/config/recurring/<int:pk>/", views.recurring_edit, name="edit"),
    path("agent/config/recurring/<int:pk>/delete/", views.recurring_delete, name="delete"),
]

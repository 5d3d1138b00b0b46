from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("agent/config/webhooks/", views.webhook_list, name="list"),
    path("agent/config/webhooks/<int:pk>/", views.webhook_detail, name="detail"),
    path("agent/config/webhooks/<int:pk>/test/", views.webhook_test, name="test"),
    path("agent/config/webhooks/<int:pk>/delete/", views.webhook_delete, name="delete"),
]

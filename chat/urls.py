from django.urls import path

from . import views

app_name = "chat"
urlpatterns = [
    path("agent/chat/", views.inbox, name="inbox"),
]

from django.urls import path  # noqa: F401

app_name = "tickets_api"
urlpatterns: list = []

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("accounts/notifications/", views.preferences, name="preferences"),
    path("survey/<str:token>/", views.survey, name="survey"),
]

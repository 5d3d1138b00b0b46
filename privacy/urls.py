from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("agent/config/privacy/", views.privacy_home, name="home"),
    path("agent/config/privacy/people/<int:pk>/", views.person_detail, name="person"),
    path("agent/config/privacy/people/<int:pk>/export/", views.person_export_zip, name="export"),
    path("agent/config/privacy/people/<int:pk>/erase/", views.person_erase, name="erase"),
]

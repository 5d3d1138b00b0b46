from django.urls import path

from . import views

app_name = "importers"
urlpatterns = [
    path("agent/config/imports/", views.import_list, name="list"),
    path("agent/config/imports/new/", views.import_new, name="new"),
    path("agent/config/imports/<uuid:pk>/", views.import_detail, name="detail"),
    path("agent/config/imports/<uuid:pk>/progress/", views.import_progress, name="progress"),
    path("agent/config/imports/<uuid:pk>/again/", views.import_again, name="again"),
]

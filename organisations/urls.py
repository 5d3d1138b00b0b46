from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("portal/organisation/", views.portal_organisations, name="portal"),
    path("portal/organisation/<int:pk>/", views.portal_detail, name="portal_detail"),
    path("portal/organisation/<int:pk>/members/", views.portal_member_add, name="portal_member_add"),
    path(
        "portal/organisation/<int:pk>/members/<int:member_id>/",
        views.portal_member_update,
        name="portal_member_update",
    ),
    path(
        "portal/organisation/<int:pk>/members/<int:member_id>/remove/",
        views.portal_member_remove,
        name="portal_member_remove",
    ),
    path("agent/config/organisations/", views.config_list, name="config_list"),
    path("agent/config/organisations/<int:pk>/", views.config_edit, name="config_edit"),
    path("agent/config/organisations/<int:pk>/members/", views.config_member_add, name="config_member_add"),
    path(
        "agent/config/organisations/<int:pk>/members/<int:member_id>/",
        views.config_member_update,
        name="config_member_update",
    ),
    path(
        "agent/config/organisations/<int:pk>/members/<int:member_id>/remove/",
        views.config_member_remove,
        name="config_member_remove",
    ),
]

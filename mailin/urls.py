from django.urls import include, path

from . import views

app_name = "mailin"

urlpatterns = [
    path(
        "agent/tickets/<int:ticket_id>/participants/<int:pk>/approve/",
        views.participant_approve_view,
        name="participant-approve",
    ),
    # Hosted mail services post inbound mail to /anymail/<esp>/inbound/ (django-anymail checks the
    # ESP's signature and the basic-auth WEBHOOK_SECRET; see README "Email in").
    path("anymail/", include("anymail.urls")),
]

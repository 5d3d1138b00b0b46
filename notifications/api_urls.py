from django.urls import path

from . import apis

app_name = "notifications_api"
urlpatterns = [
    path(
        "tickets/<int:ticket_id>/notifications/",
        apis.TicketNotificationListApi.as_view(),
        name="ticket-notifications",
    ),
]

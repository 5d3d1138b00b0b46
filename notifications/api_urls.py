from django.urls import path

from . import apis

app_name = "notifications_api"
urlpatterns = [
    path(
        "tickets/<int:ticket_id>/notifications/",
        apis.TicketNotificationListApi.as_view(),
        name="ticket-notifications",
    ),
    path("notifications/", apis.InAppListApi.as_view(), name="inbox"),
    path("notifications/unread-count/", apis.InAppUnreadCountApi.as_view(), name="inbox-unread-count"),
    path("notifications/read/", apis.InAppReadApi.as_view(), name="inbox-read"),
    path("notifications/<int:pk>/read/", apis.InAppReadOneApi.as_view(), name="inbox-read-one"),
    path("tickets/<int:ticket_id>/followers/", apis.TicketFollowersApi.as_view(), name="ticket-followers"),
    path(
        "tickets/<int:ticket_id>/mention-suggestions/",
        apis.MentionSuggestionsApi.as_view(),
        name="ticket-mention-suggestions",
    ),
    path("me/notification-preferences/", apis.NotificationPreferencesApi.as_view(), name="preferences"),
]

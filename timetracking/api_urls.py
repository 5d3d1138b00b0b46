from django.urls import path

from . import apis

app_name = "timetracking_api"
urlpatterns = [
    path(
        "tickets/<int:ticket_id>/time-entries/",
        apis.TicketTimeEntryListCreateApi.as_view(),
        name="ticket-time-entries",
    ),
    path(
        "tickets/<int:ticket_id>/time-entries/totals/",
        apis.TicketTimeTotalsApi.as_view(),
        name="ticket-time-totals",
    ),
    path(
        "tickets/<int:ticket_id>/time-entries/<int:entry_id>/",
        apis.TicketTimeEntryDetailApi.as_view(),
        name="ticket-time-entry",
    ),
]

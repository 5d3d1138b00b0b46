from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis, downloads

app_name = "tickets_api"

router = SimpleRouter()
router.register("tickets", apis.TicketViewSet, basename="ticket")
router.register("categories", apis.CategoryViewSet, basename="category")
router.register("escalation-paths", apis.EscalationPathViewSet, basename="escalation-path")

urlpatterns = [
    *router.urls,
    path(
        "tickets/<int:ticket_id>/messages/", apis.TicketMessageListCreateApi.as_view(), name="ticket-messages"
    ),
    path(
        "tickets/<int:ticket_id>/attachments/",
        apis.TicketAttachmentListCreateApi.as_view(),
        name="ticket-attachments",
    ),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/download/",
        downloads.attachment_download,
        name="attachment-download",
    ),
    path("tickets/<int:ticket_id>/events/", apis.TicketEventListApi.as_view(), name="ticket-events"),
    path("tickets/<int:ticket_id>/resolve/", apis.TicketResolveApi.as_view(), name="ticket-resolve"),
    path("tickets/<int:ticket_id>/reopen/", apis.TicketReopenApi.as_view(), name="ticket-reopen"),
    path("tickets/<int:ticket_id>/close/", apis.TicketCloseApi.as_view(), name="ticket-close"),
    path("tickets/<int:ticket_id>/rating/", apis.TicketRatingApi.as_view(), name="ticket-rating"),
]

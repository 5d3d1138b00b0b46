from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis, bulk_apis, downloads

app_name = "tickets_api"

router = SimpleRouter()
router.register("tickets", apis.TicketViewSet, basename="ticket")
router.register("categories", apis.CategoryViewSet, basename="category")
router.register("escalation-paths", apis.EscalationPathViewSet, basename="escalation-path")

urlpatterns = [
    # Before the router: "bulk" is no ticket id.
    path("tickets/bulk/", bulk_apis.TicketBulkApi.as_view(), name="bulk"),
    path("tickets/bulk/<str:job_id>/", bulk_apis.TicketBulkJobApi.as_view(), name="bulk-job"),
    *router.urls,
    path("tickets/<int:ticket_id>/merge/", bulk_apis.TicketMergeApi.as_view(), name="ticket-merge"),
    path("tickets/<int:ticket_id>/links/", bulk_apis.TicketLinkListCreateApi.as_view(), name="ticket-links"),
    path(
        "tickets/<int:ticket_id>/links/<int:link_id>/",
        bulk_apis.TicketLinkDeleteApi.as_view(),
        name="ticket-link",
    ),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/split/",
        bulk_apis.TicketMessageSplitApi.as_view(),
        name="ticket-message-split",
    ),
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

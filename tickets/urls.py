from django.urls import path
from django.views.generic import RedirectView

from . import bulk_views, undo, views

app_name = "tickets"
urlpatterns = [
    path("portal/", RedirectView.as_view(pattern_name="tickets:portal_list"), name="portal"),
    path("portal/new/", views.portal_new, name="portal_new"),
    path("portal/tickets/", views.portal_list, name="portal_list"),
    path("portal/tickets/<str:reference>/", views.portal_detail, name="portal_detail"),
    path("portal/tickets/<str:reference>/submitted/", views.portal_submitted, name="portal_submitted"),
    path("portal/tickets/<str:reference>/reply/", views.portal_reply, name="portal_reply"),
    path("portal/tickets/<str:reference>/reopen/", views.portal_reopen, name="portal_reopen"),
    path("portal/tickets/<str:reference>/rate/", views.portal_rate, name="portal_rate"),
    path("agent/", views.agent_queue_view, name="agent_queue"),
    path("agent/tickets/new/", views.agent_new, name="agent_new"),
    path("agent/customers/", views.agent_customer_options, name="agent_customer_options"),
    path("agent/customers/tickets/", views.agent_caller_tickets, name="agent_caller_tickets"),
    path("agent/tickets/<int:pk>/", views.agent_ticket, name="agent_ticket"),
    path("agent/tickets/<int:pk>/messages/", views.agent_message, name="agent_message"),
    path("agent/tickets/<int:pk>/triage/", views.agent_triage, name="agent_triage"),
    path("agent/tickets/<int:pk>/resolve/", views.agent_resolve, name="agent_resolve"),
    path("agent/tickets/<int:pk>/reopen/", views.agent_reopen, name="agent_reopen"),
    path("agent/tickets/<int:pk>/close/", views.agent_close, name="agent_close"),
    path("agent/tickets/<int:pk>/take/", views.agent_take, name="agent_take"),
    path("agent/tickets/<int:pk>/presence/", views.agent_presence, name="agent_presence"),
    path("agent/undo/<str:token>/", undo.undo, name="undo"),
    path("agent/bulk/", bulk_views.agent_bulk, name="agent_bulk"),
    path("agent/bulk/result/", bulk_views.agent_bulk_result, name="agent_bulk_result"),
    path("agent/bulk/count/", bulk_views.agent_bulk_count, name="agent_bulk_count"),
    path("agent/bulk/<str:job_id>/", bulk_views.agent_bulk_job, name="agent_bulk_job"),
    path("agent/tickets/<int:pk>/merge/", bulk_views.agent_merge, name="agent_merge"),
    path("agent/tickets/<int:pk>/links/", bulk_views.agent_link, name="agent_link"),
    path("agent/tickets/<int:pk>/links/<int:link_id>/delete/", bulk_views.agent_unlink, name="agent_unlink"),
    path(
        "agent/tickets/<int:pk>/messages/<int:message_id>/split/", bulk_views.agent_split, name="agent_split"
    ),
]

from django.urls import path

from . import apis

app_name = "escalation_api"
urlpatterns = [
    path("tickets/<int:ticket_id>/escalate/", apis.TicketEscalateApi.as_view(), name="ticket_escalate"),
    path(
        "tickets/<int:ticket_id>/de-escalate/", apis.TicketDeescalateApi.as_view(), name="ticket_deescalate"
    ),
    path("tickets/<int:ticket_id>/consults/", apis.TicketConsultsApi.as_view(), name="ticket_consults"),
    path("escalations/", apis.EscalationListApi.as_view(), name="escalation_list"),
    path("escalations/<int:escalation_id>/", apis.EscalationDetailApi.as_view(), name="escalation_detail"),
    path(
        "escalations/<int:escalation_id>/accept/",
        apis.EscalationAcceptApi.as_view(),
        name="escalation_accept",
    ),
    path(
        "escalations/<int:escalation_id>/decline/",
        apis.EscalationDeclineApi.as_view(),
        name="escalation_decline",
    ),
    path("consults/<int:consult_id>/answer/", apis.ConsultAnswerApi.as_view(), name="consult_answer"),
    path("consults/<int:consult_id>/escalate/", apis.ConsultEscalateApi.as_view(), name="consult_escalate"),
]

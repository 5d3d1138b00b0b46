from django.urls import path

from . import views

app_name = "escalation"
urlpatterns = [
    path("agent/tickets/<int:ticket_id>/escalate/", views.escalate, name="escalate"),
    path("agent/tickets/<int:ticket_id>/escalate/articles/", views.article_search, name="article_search"),
    path("agent/tickets/<int:ticket_id>/de-escalate/", views.deescalate, name="deescalate"),
    path("agent/tickets/<int:ticket_id>/consult/", views.consult, name="consult"),
    path("agent/tickets/<int:ticket_id>/handoffs/", views.handoffs, name="handoffs"),
    path("agent/escalations/", views.queue, name="queue"),
    path("agent/escalations/<int:escalation_id>/", views.escalation_detail, name="detail"),
    path("agent/escalations/<int:escalation_id>/accept/", views.accept, name="accept"),
    path("agent/escalations/<int:escalation_id>/decline/", views.decline, name="decline"),
    path("agent/consults/<int:consult_id>/answer/", views.consult_answer, name="consult_answer"),
    path("agent/consults/<int:consult_id>/escalate/", views.consult_escalate, name="consult_escalate"),
    path("agent/config/paths/", views.config_paths, name="config_paths"),
    path("agent/config/teams/", views.config_teams, name="config_teams"),
]

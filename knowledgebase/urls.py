from django.urls import path

from . import views
from .feeds import LatestArticlesFeed

app_name = "knowledgebase"
urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_index, name="index"),
    path("help/suggest/", views.suggest, name="suggest"),
    path("help/suggest/solved/", views.suggest_solved, name="suggest_solved"),
    path("help/new/", views.article_new, name="article_new"),
    path("help/feed/", LatestArticlesFeed(), name="feed"),
    path("help/links/<int:ticket_id>/<int:article_id>/", views.link_solution, name="link_solution"),
    path("help/from-ticket/<int:ticket_id>/", views.article_from_ticket_view, name="from_ticket"),
    path("help/canned/<int:ticket_id>/<int:canned_id>/", views.canned_apply, name="canned_apply"),
    path("help/checklist/<int:ticket_id>/<int:item_id>/", views.checklist_tick, name="checklist_tick"),
    path("help/<slug:slug>/", views.article_detail, name="article"),
    path("help/<slug:slug>/feedback/", views.article_feedback_view, name="feedback"),
    path("help/<slug:slug>/edit/", views.article_edit, name="article_edit"),
    path("help/<slug:slug>/versions/", views.article_versions, name="versions"),
    path("help/<slug:slug>/versions/<int:number>/", views.article_version_detail, name="version"),
]

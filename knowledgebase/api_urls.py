from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

app_name = "knowledgebase_api"

router = SimpleRouter()
router.register("articles", apis.ArticleViewSet, basename="article")
router.register("canned-responses", apis.CannedResponseViewSet, basename="canned-response")
router.register("checklists", apis.ChecklistViewSet, basename="checklist")
router.register("synonyms", apis.SynonymViewSet, basename="synonym")

urlpatterns = [
    path("suggest/", apis.SuggestApi.as_view(), name="suggest"),
    path("tickets/<int:ticket_id>/checklist/", apis.TicketChecklistApi.as_view(), name="ticket-checklist"),
    *router.urls,
]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgebaseConfig(AppConfig):
    name = "knowledgebase"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tickets.events import event_recorded
        from tickets.panels import NavEntry, Panel, agent_ticket_panels, nav_entries

        from . import panels, receivers
        from .models import Synonym
        from .search import clear_synonym_cache

        post_save.connect(clear_synonym_cache, sender=Synonym, dispatch_uid="kb_synonyms_saved")
        post_delete.connect(clear_synonym_cache, sender=Synonym, dispatch_uid="kb_synonyms_deleted")
        event_recorded.connect(receivers.link_article_on_resolve, dispatch_uid="kb_link_article_on_resolve")
        event_recorded.connect(
            receivers.unmark_deflections_on_portal_submit, dispatch_uid="kb_deflections_portal_submit"
        )
        # ready() can run more than once (tests, autoreload): register each panel once.
        registered = {p.template for p in agent_ticket_panels}
        for panel in (
            Panel(
                "knowledgebase/_agent_articles.html",
                context=panels.articles_context,
                slot="side",
                order=20,
                title=_("Matching articles"),
                open=True,
            ),
            Panel(
                "knowledgebase/_agent_checklist.html",
                context=panels.checklist_context,
                slot="side",
                order=30,
                title=_("Checklist"),
                open=True,
            ),
            Panel(
                "knowledgebase/_agent_canned.html",
                context=panels.canned_context,
                slot="side",
                order=40,
                title=_("Canned responses"),
            ),
            Panel(
                "knowledgebase/_agent_from_ticket.html", context=panels.from_ticket_context, slot="actions"
            ),
        ):
            if panel.template not in registered:
                agent_ticket_panels.append(panel)
        if not any(e.url_name == "knowledgebase:index" for e in nav_entries):
            nav_entries.append(NavEntry(_("Help centre"), "knowledgebase:index", who="anyone", order=90))

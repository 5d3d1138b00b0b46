"""Atom feed of recently updated help articles. Always what an anonymous reader may see: feed readers
keep and share what they fetch, so an agent's session never adds internal articles here."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Article
from .search import words
from .selectors import article_published_qs

FEED_ITEMS = 30


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Help centre: latest articles")
    link = "/help/"
    subtitle = _("New and updated help articles")

    def items(self) -> list[Article]:
        return list(
            article_published_qs(AnonymousUser())
            .order_by("-updated_at", "-id")
            .only("id", "slug", "title", "body", "updated_at")[:FEED_ITEMS]
        )

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # Plain words only (the feed generator escapes it); the article page has the rendered text.
        return " ".join(words(item.body)[:60])

    def item_updateddate(self, item: Article) -> datetime:
        return item.updated_at

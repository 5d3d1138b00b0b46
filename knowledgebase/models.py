"""Knowledge base: articles and their versions, what they solved, synonyms for search,
deflections from the portal, and the 1st level's standard tools (canned responses, checklists)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [("de", _("German")), ("en", _("English"))]


class Article(models.Model):
    class Kind(models.TextChoices):
        FAQ = "faq", _("FAQ")
        HOW_TO = "how_to", _("Step-by-step guide")
        KNOWN_ERROR = "known_error", _("Known error")
        PRODUCT_INFO = "product_info", _("Product information")
        SERVICE = "service", _("Service description")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=settings.HELPDESK_MAX_BODY_CHARS, help_text=_("Markdown"))
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FAQ)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES, default="en")
    # The article this one translates (both directions are followed for the language switch).
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="translations"
    )
    tags = models.ManyToManyField("tickets.Tag", blank=True, related_name="articles")
    categories = models.ManyToManyField("tickets.Category", blank=True, related_name="articles")

    helpful_count = models.PositiveIntegerField(default=0)
    not_helpful_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # PostgreSQL only: title (weight A), tags (C) and body (B) in the article's language's text search
    # configuration, kept by knowledgebase.search.search_vector_refresh. Its GIN index (and the
    # trigram index on title) are created by a PostgreSQL-only migration; on SQLite the column stays NULL.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "visibility", "language"], name="kb_article_visible"),
            models.Index(fields=["-view_count"], name="kb_article_popular"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("knowledgebase:article", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC and self.status == self.Status.PUBLISHED


class ArticleVersion(models.Model):
    """A snapshot written on every save of an article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Article.Status.choices)
    visibility = models.CharField(max_length=10, choices=Article.Visibility.choices)
    summary = models.CharField(max_length=300, blank=True)
    # Unified diff against the previous version (title and body).
    diff = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_unique_article_version")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleTicketLink(models.Model):
    """An article that solved a ticket ("solved N tickets")."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="article_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "ticket"], name="kb_unique_article_ticket")]

    def __str__(self) -> str:
        return f"article {self.article_id} solved #{self.ticket_id}"


class Synonym(models.Model):
    """A customer's word (or phrase) and the words articles use for it, added to search queries."""

    term = models.CharField(max_length=100, help_text=_("What customers write, e.g. “Kennwort”."))
    expansion = models.CharField(
        max_length=300, help_text=_("Words the articles use, separated by spaces, e.g. “Passwort”.")
    )
    # Empty: applies to queries in any language.
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["term", "language"], name="kb_unique_synonym_term_language")
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.expansion}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.term = " ".join(self.term.lower().split())
        super().save(*args, **kwargs)


class SearchWord(models.Model):
    """Every word of every article (lower case, unstemmed): the dictionary typos are corrected against.

    Filled by knowledgebase.search.search_vector_refresh (PostgreSQL only); a trigram index on
    ``word`` finds the nearest words of a misspelt query word ("pasword" → "password").
    """

    word = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.word


class Deflection(models.Model):
    """A portal visitor said a suggested article solved the problem: a request that was not submitted.

    ``submitted_ticket``: the same browser session submitted a request afterwards after all (set by
    the receiver of the ticket's CREATED event), so this one did not deflect anything.
    """

    session_key = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    query = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"deflection by {self.article_id}"


class CannedResponse(models.Model):
    """A standard answer (macro). Placeholders: {customer_name} {reference} {agent_name}."""

    class SetStatus(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")

    title = models.CharField(max_length=120)
    body = models.TextField(max_length=settings.HELPDESK_MAX_BODY_CHARS)
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES, default="en")
    set_status = models.CharField(max_length=10, choices=SetStatus.choices, blank=True, default="")
    set_category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Checklist(models.Model):
    """Troubleshooting steps for tickets of a category (and its sub-categories)."""

    category = models.ForeignKey("tickets.Category", on_delete=models.CASCADE, related_name="checklists")
    title = models.CharField(max_length=120)
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES, default="en")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["checklist_id", "position", "id"]

    def __str__(self) -> str:
        return self.text


class ChecklistTick(models.Model):
    """A step an agent has done on a ticket."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="checklist_ticks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="ticks")
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ticked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "item"], name="kb_unique_ticket_item_tick")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} ✓ {self.item_id}"

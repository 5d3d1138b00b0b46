"""Writes of the knowledge base. Views, API, admin, receivers and the demo seed all call these."""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from helpdesk.errors import ApplicationError
from tickets.events import portal_session_digest
from tickets.models import Category, Tag, Ticket

from .models import (
    Article,
    ArticleTicketLink,
    ArticleVersion,
    CannedResponse,
    ChecklistItem,
    ChecklistTick,
    Deflection,
)
from .search import search_vector_refresh

# Slugs that would shadow the help centre's own routes under /help/.
RESERVED_SLUGS = {"suggest", "new", "feed", "links", "canned", "checklist", "from-ticket", "edit", "versions"}
ARTICLE_NOT_AGENT = "Only agents can write articles."
SLUG_TAKEN = "This slug is already used by another article."
SLUG_RESERVED = "This slug is reserved."
PLACEHOLDER_RE = re.compile(r"\{(customer_name|reference|agent_name)\}")
EDITABLE_FIELDS = ("title", "body", "kind", "visibility", "status", "language", "translation_of", "slug")


def _require_agent(by: Any) -> None:
    if not getattr(by, "is_agent", False):
        raise ApplicationError(_(ARTICLE_NOT_AGENT))


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(base) or "article")[:190]
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Article.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_slug(slug: str, *, exclude_pk: int | None = None) -> str:
    slug = slugify(slug)
    if not slug:
        raise ApplicationError(_("Enter a valid slug."), field="slug")
    if slug in RESERVED_SLUGS:
        raise ApplicationError(_(SLUG_RESERVED), field="slug")
    if Article.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        raise ApplicationError(_(SLUG_TAKEN), field="slug")
    return slug


def _tags(names: list[str]) -> list[Tag]:
    out = []
    for name in dict.fromkeys(slugify(n)[:50] for n in names if n and slugify(n)):
        tag, _created = Tag.objects.get_or_create(name=name)
        out.append(tag)
    return out


def _diff(old_title: str, old_body: str, new_title: str, new_body: str) -> str:
    old = [f"# {old_title}", *old_body.splitlines()]
    new = [f"# {new_title}", *new_body.splitlines()]
    return "\n".join(difflib.unified_diff(old, new, "before", "after", lineterm="", n=2))[:20000]


def _version_create(
    *, article: Article, by: Any, summary: str, previous: ArticleVersion | None
) -> ArticleVersion:
    number = (article.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    diff = _diff(previous.title, previous.body, article.title, article.body) if previous else ""
    return ArticleVersion.objects.create(
        article=article,
        number=number,
        title=article.title,
        body=article.body,
        status=article.status,
        visibility=article.visibility,
        summary=(summary or "")[:300],
        diff=diff,
        changed_by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def article_create(
    *,
    by: Any,
    title: str,
    body: str,
    kind: str = Article.Kind.FAQ,
    visibility: str = Article.Visibility.PUBLIC,
    status: str = Article.Status.DRAFT,
    language: str = "en",
    slug: str | None = None,
    translation_of: Article | None = None,
    tags: list[str] | None = None,
    categories: list[Category] | None = None,
    summary: str = "",
) -> Article:
    _require_agent(by)
    title = title.strip()
    if not title:
        raise ApplicationError(_("Enter a title."), field="title")
    now = timezone.now()
    article = Article(
        slug=_check_slug(slug) if slug else _unique_slug(title),
        title=title,
        body=body,
        kind=kind,
        visibility=visibility,
        status=status,
        language=language,
        translation_of=translation_of,
        created_by=by,
        updated_by=by,
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise ApplicationError(_(SLUG_TAKEN), field="slug") from None
    if tags:
        article.tags.set(_tags(tags))
    if categories:
        article.categories.set(categories)
    _version_create(article=article, by=by, summary=summary or _("Created"), previous=None)
    search_vector_refresh(article_ids=[article.pk])
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    by: Any,
    summary: str = "",
    tags: list[str] | None = None,
    categories: list[Category] | None = None,
    **fields: Any,
) -> Article:
    """Change the given fields; every save keeps a version with a diff against the previous one."""
    _require_agent(by)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if "slug" in fields:
        fields["slug"] = _check_slug(fields["slug"], exclude_pk=locked.pk)
    if "title" in fields:
        fields["title"] = fields["title"].strip()
        if not fields["title"]:
            raise ApplicationError(_("Enter a title."), field="title")
    if fields.get("translation_of") is not None and fields["translation_of"].pk == locked.pk:
        raise ApplicationError(_("An article cannot translate itself."), field="translation_of")
    previous = locked.versions.order_by("-number").first()
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = by
    locked.updated_at = timezone.now()
    locked.save()
    if tags is not None:
        locked.tags.set(_tags(tags))
    if categories is not None:
        locked.categories.set(categories)
    _version_create(article=locked, by=by, summary=summary, previous=previous)
    search_vector_refresh(article_ids=[locked.pk])
    return locked


@transaction.atomic
def article_delete(*, article: Article, by: Any) -> None:
    if not getattr(by, "is_supervisor", False):
        raise ApplicationError(_("Only supervisors can delete articles; archive it instead."))
    article.delete()


def article_feedback(*, article: Article, helpful: bool) -> Article:
    field = "helpful_count" if helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
    article.refresh_from_db(fields=["helpful_count", "not_helpful_count"])
    return article


def article_view_record(*, article: Article) -> None:
    """Counts a reader for "popular articles" (a counter only; nothing a reader can see changes)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@transaction.atomic
def article_link_ticket(*, article: Article, ticket: Ticket, by: Any) -> ArticleTicketLink:
    """Record that ``article`` solved ``ticket`` (idempotent)."""
    link, _created = ArticleTicketLink.objects.get_or_create(
        article=article, ticket=ticket, defaults={"linked_by": by if getattr(by, "pk", None) else None}
    )
    return link


@transaction.atomic
def article_from_ticket(*, ticket: Ticket, by: Any) -> tuple[Article, bool]:
    """A draft, internal article prefilled from a resolved ticket, linked to it; ``(article, created)``.

    Only what the customer could already read goes in: the subject, their description and the
    resolution. Internal notes and escalation handoffs (diagnostics, steps taken) stay out: a draft
    is published by someone who may not know which of its lines were meant for agents only.
    A draft already linked to the ticket is returned instead of a second one (a double click, or a
    colleague who got there first)."""
    _require_agent(by)
    if ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise ApplicationError(_("Only a resolved ticket can become an article."))
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()  # two clicks at once: one draft
    existing = Article.objects.filter(ticket_links__ticket=ticket, status=Article.Status.DRAFT).first()
    if existing is not None:
        return existing, False
    language = ticket.language if ticket.language in ("de", "en") else "en"
    with translation.override(language):
        problem, solution = _("Problem"), _("Solution")
        summary = _("From ticket %(reference)s") % {"reference": ticket.reference}
    body = f"## {problem}\n\n{ticket.description.strip()}\n\n## {solution}\n\n{ticket.resolution.strip()}\n"
    article = article_create(
        by=by,
        title=ticket.subject,
        body=body,
        kind=Article.Kind.KNOWN_ERROR,
        # Internal until an agent has removed anything personal and publishes it.
        visibility=Article.Visibility.INTERNAL,
        status=Article.Status.DRAFT,
        language=language,
        categories=[ticket.category] if ticket.category_id else None,
        summary=summary,
    )
    article_link_ticket(article=article, ticket=ticket, by=by)
    return article, True


def deflection_record(*, session_key: str, user: Any, article: Article, query: str) -> Deflection:
    return Deflection.objects.create(
        session_key=session_key[:64],
        user=user if getattr(user, "is_authenticated", False) else None,
        article=article,
        query=(query or "")[:400],
    )


def deflections_mark_submitted(*, ticket: Ticket, session_digest: str, at: Any) -> int:
    """The portal session ``session_digest`` submitted ``ticket`` at ``at``: its earlier deflections
    did not deflect. Returns how many were marked.

    The digest is compared in Python over the requester's open deflections (a portal session is
    signed in, so its deflections carry the user) — a handful of rows, never the whole table."""
    candidates = Deflection.objects.filter(
        user_id=ticket.requester_id, submitted_ticket__isnull=True, created_at__lte=at
    ).values_list("pk", "session_key")
    pks = [pk for pk, key in candidates if key and portal_session_digest(key) == session_digest]
    return Deflection.objects.filter(pk__in=pks).update(submitted_ticket=ticket) if pks else 0


def canned_response_render(*, canned: CannedResponse, ticket: Ticket, agent: Any) -> str:
    """The body with its placeholders filled (only the known ones; no format-string evaluation)."""
    requester = ticket.requester
    values = {
        "customer_name": requester.get_full_name() or requester.get_username(),
        "reference": ticket.reference,
        "agent_name": agent.get_full_name() or agent.get_username(),
    }
    return PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], canned.body)


def canned_response_apply(*, canned: CannedResponse, ticket: Ticket, by: Any) -> tuple[Ticket, str]:
    """Set the response's status / category on the ticket (through the ticket service); return the text."""
    from tickets.services import ticket_update

    changes: dict[str, Any] = {}
    if canned.set_status and canned.set_status != ticket.status:
        changes["status"] = canned.set_status
    if canned.set_category_id and canned.set_category_id != ticket.category_id:
        changes["category"] = canned.set_category
    if changes:
        ticket = ticket_update(ticket=ticket, by=by, **changes)
    return ticket, canned_response_render(canned=canned, ticket=ticket, agent=by)


@transaction.atomic
def checklist_tick_set(*, ticket: Ticket, item: ChecklistItem, by: Any, ticked: bool) -> bool:
    """Tick or untick one step on a ticket; returns whether it is ticked now."""
    if ticked:
        ChecklistTick.objects.get_or_create(ticket=ticket, item=item, defaults={"ticked_by": by})
    else:
        ChecklistTick.objects.filter(ticket=ticket, item=item).delete()
    return ticked

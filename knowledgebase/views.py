"""Help centre pages, the portal's suggestion fragment, and the agent panel actions (htmx)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpdesk.errors import ApplicationError
from tickets.models import Category
from tickets.selectors import ticket_get_for_user

from .forms import ArticleForm, DeflectionForm, FeedbackForm
from .models import ArticleVersion, ChecklistItem
from .rendering import render_markdown
from .search import search
from .selectors import (
    article_get_for_user,
    article_listed_qs,
    article_popular,
    article_published_qs,
    article_related,
    article_translations,
    canned_response_qs,
    categories_with_articles,
    checklist_for_ticket,
    checklist_ticked_ids,
    is_agent,
)
from .services import (
    article_create,
    article_feedback,
    article_from_ticket,
    article_link_ticket,
    article_update,
    article_view_record,
    canned_response_apply,
    checklist_tick_set,
    deflection_record,
)

SUGGEST_LIMIT = 5
SUGGEST_MIN_CHARS = 3
RESULTS_LIMIT = 30
HOME_RESULTS_ID = "kb-home-results"  # the home page's live-search results (templates/knowledgebase/home.html)
VOTED_SESSION_KEY = "kb_voted"


def agent_required(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_agent:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _language(request: HttpRequest) -> str:
    lang = (get_language() or "en")[:2]
    return lang if lang in ("de", "en") else "en"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "knowledgebase/home.html",
        {
            "popular": article_popular(user=request.user, language=_language(request)),
            "categories": categories_with_articles(user=request.user, language=_language(request)),
        },
    )


@require_GET
def help_index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    category = None
    if request.GET.get("category", "").isdigit():
        category = Category.objects.filter(pk=request.GET["category"]).first()
    language = _language(request)
    qs = article_published_qs(user=request.user)
    listed = article_listed_qs(user=request.user, language=language)
    if category is not None:
        qs, listed = qs.filter(categories=category), listed.filter(categories=category)
    context: dict[str, Any] = {
        "q": q,
        "category": category,
        "categories": categories_with_articles(user=request.user, language=language),
    }
    # htmx asks for the results only: the help centre's list, or the home page's live search (which
    # shows nothing for an empty box). A history restore wants the whole page.
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    if q:
        context["hits"] = search(qs=qs, query=q, language=language, limit=RESULTS_LIMIT)
    elif partial and request.headers.get("HX-Target") == HOME_RESULTS_ID:
        return HttpResponse("")
    else:
        context["articles"] = list(
            listed.prefetch_related("categories")
            .order_by("title")
            .only("id", "slug", "title", "kind", "visibility")[:200]
        )
    template = "knowledgebase/_search_results.html" if partial else "knowledgebase/help_index.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = article_get_for_user(user=request.user, slug=slug)
    agent = is_agent(request.user)
    if not agent:
        article_view_record(article=article)
    return render(
        request,
        "knowledgebase/article_detail.html",
        {
            "article": article,
            "body_html": render_markdown(article.body),
            "translations": article_translations(article=article, user=request.user),
            "related": article_related(article=article, user=request.user),
            "solved_count": article.ticket_links.count() if agent else None,
            "voted": article.pk in request.session.get(VOTED_SESSION_KEY, []),
            "is_agent": agent,
        },
    )


@require_POST
def article_feedback_view(request: HttpRequest, slug: str) -> HttpResponse:
    article = article_get_for_user(user=request.user, slug=slug)
    form = FeedbackForm(request.POST)
    voted = request.session.get(VOTED_SESSION_KEY, [])
    if form.is_valid() and article.pk not in voted:
        article = article_feedback(article=article, helpful=form.cleaned_data["helpful"])
        request.session[VOTED_SESSION_KEY] = [*voted, article.pk][-200:]
    if not request.headers.get("HX-Request"):
        return redirect(article.get_absolute_url())
    return render(
        request,
        "knowledgebase/_feedback.html",
        {"article": article, "voted": True, "is_agent": is_agent(request.user)},
    )


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The portal's live suggestions: up to five articles for what the customer has typed."""
    q = " ".join(
        part
        for part in (
            request.GET.get("subject", ""),
            request.GET.get("description", ""),
            request.GET.get("q", ""),
        )
        if part
    ).strip()[:200]
    hits = []
    if len(q) >= SUGGEST_MIN_CHARS:
        hits = search(
            qs=article_published_qs(user=request.user),
            query=q,
            language=_language(request),
            limit=SUGGEST_LIMIT,
        )
    return render(request, "knowledgebase/_suggestions.html", {"hits": hits, "q": q})


@require_POST
def suggest_solved(request: HttpRequest) -> HttpResponse:
    """ "This solved my problem": records a deflection and ends the form without a ticket."""
    form = DeflectionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    article = article_get_for_user(user=request.user, pk=form.cleaned_data["article"])
    if not request.session.session_key:
        request.session.save()
    deflection_record(
        session_key=request.session.session_key or "",
        user=request.user,
        article=article,
        query=form.cleaned_data["q"],
    )
    return render(request, "knowledgebase/_deflected.html", {"article": article})


# --- Agents -------------------------------------------------------------------------------------------


@agent_required
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(
        request.POST or None,
        initial={"language": _language(request), "status": "draft", "visibility": "public"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = article_create(
                by=request.user,
                title=data["title"],
                slug=data["slug"] or None,
                body=data["body"],
                kind=data["kind"],
                visibility=data["visibility"],
                status=data["status"],
                language=data["language"],
                translation_of=data["translation_of"],
                categories=data["categories"],
                tags=form.tag_list(),
                summary=data["summary"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Article saved."))
            return redirect(article.get_absolute_url())
    return _article_form(request, form, None)


def _article_form(request: HttpRequest, form: ArticleForm, article: Any) -> HttpResponse:
    context = {"form": form, "article": article}
    return render(request, "knowledgebase/article_form.html", context, status=400 if form.errors else 200)


@agent_required
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    article = article_get_for_user(user=request.user, slug=slug)
    initial = {
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "kind": article.kind,
        "visibility": article.visibility,
        "status": article.status,
        "language": article.language,
        "translation_of": article.translation_of_id,
        "categories": list(article.categories.values_list("pk", flat=True)),
        "tags": ", ".join(article.tags.values_list("name", flat=True)),
    }
    form = ArticleForm(request.POST or None, initial=initial, article=article)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = article_update(
                article=article,
                by=request.user,
                summary=data["summary"],
                categories=data["categories"],
                tags=form.tag_list(),
                title=data["title"],
                slug=data["slug"] or article.slug,
                body=data["body"],
                kind=data["kind"],
                visibility=data["visibility"],
                status=data["status"],
                language=data["language"],
                translation_of=data["translation_of"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Article saved."))
            return redirect(article.get_absolute_url())
    return _article_form(request, form, article)


@agent_required
def article_versions(request: HttpRequest, slug: str) -> HttpResponse:
    article = article_get_for_user(user=request.user, slug=slug)
    versions = article.versions.select_related("changed_by").order_by("-number")
    return render(request, "knowledgebase/versions.html", {"article": article, "versions": versions})


@agent_required
def article_version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = article_get_for_user(user=request.user, slug=slug)
    version = get_object_or_404(
        ArticleVersion.objects.select_related("changed_by"), article=article, number=number
    )
    return render(
        request,
        "knowledgebase/version_detail.html",
        {"article": article, "version": version, "body_html": render_markdown(version.body)},
    )


@agent_required
@require_POST
def link_solution(request: HttpRequest, ticket_id: int, article_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    article = article_get_for_user(user=request.user, pk=article_id)
    article_link_ticket(article=article, ticket=ticket, by=request.user)
    return render(
        request, "knowledgebase/_link_button.html", {"ticket": ticket, "article": article, "linked": True}
    )


@agent_required
@require_POST
def article_from_ticket_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    try:
        article, created = article_from_ticket(ticket=ticket, by=request.user)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400)
    if created:
        text = _("Draft created from %(reference)s. Check it for anything personal, then publish it.")
    else:
        text = _("A draft from %(reference)s already exists: here it is.")
    messages.success(request, text % {"reference": ticket.reference})
    url = f"{article.get_absolute_url()}edit/"
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


@agent_required
@require_POST
def canned_apply(request: HttpRequest, ticket_id: int, canned_id: int) -> HttpResponse:
    """Sets the response's status/category on the ticket and returns its filled-in text as JSON."""
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    canned = get_object_or_404(canned_response_qs(user=request.user), pk=canned_id)
    try:
        ticket, body = canned_response_apply(canned=canned, ticket=ticket, by=request.user)
    except ApplicationError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status_code)
    return JsonResponse(
        {"body": body, "status": ticket.status, "category": ticket.category_id, "version": ticket.version}
    )


@agent_required
@require_POST
def checklist_tick(request: HttpRequest, ticket_id: int, item_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    checklist = checklist_for_ticket(ticket=ticket)
    if checklist is None:
        raise Http404
    item = get_object_or_404(ChecklistItem, pk=item_id, checklist=checklist)
    checklist_tick_set(ticket=ticket, item=item, by=request.user, ticked=request.POST.get("ticked") == "on")
    return render(
        request,
        "knowledgebase/_agent_checklist.html",
        {"ticket": ticket, "checklist": checklist, "ticked_ids": checklist_ticked_ids(ticket=ticket)},
    )

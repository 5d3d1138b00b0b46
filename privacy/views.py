from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from helpdesk.errors import ApplicationError

from . import selectors, services
from .export import person_export
from .forms import EraseForm, OrganisationRetentionForm, PersonSearchForm, RetentionRuleForm
from .models import RetentionRule, RetentionRun


def _supervisor(request: HttpRequest) -> None:
    if not request.user.is_supervisor:
        raise PermissionDenied


@login_required
def privacy_home(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    search = PersonSearchForm(request.GET or None)
    people = selectors.person_search(q=search.cleaned_data["q"]) if search.is_valid() else []
    rule = RetentionRule.objects.filter(scope=RetentionRule.Scope.GLOBAL).first()
    posted = request.POST.get("form", "global") if request.method == "POST" else None
    form = RetentionRuleForm(request.POST if posted == "global" else None, instance=rule)
    org_form = OrganisationRetentionForm(request.POST if posted == "organisation" else None)
    if posted == "global" and form.is_valid():
        saved = form.save(commit=False)
        if saved.created_by_id is None:
            saved.created_by = request.user
        saved.save()
        messages.success(request, _("Retention rule saved."))
        return redirect("privacy:home")
    if posted == "organisation" and org_form.is_valid():
        services.organisation_retention_save(by=request.user, **org_form.cleaned_data)
        messages.success(request, _("Retention rule saved."))
        return redirect("privacy:home")
    if posted == "delete":
        get_object_or_404(
            RetentionRule, pk=request.POST.get("rule"), scope=RetentionRule.Scope.ORGANISATION
        ).delete()
        messages.success(request, _("Retention rule deleted."))
        return redirect("privacy:home")
    return render(
        request,
        "privacy/home.html",
        {
            "search": search,
            "people": people,
            "form": form,
            "org_form": org_form,
            "rule": rule,
            "org_rules": RetentionRule.objects.filter(scope=RetentionRule.Scope.ORGANISATION)
            .select_related("organisation")
            .order_by("organisation__name"),
            "runs": RetentionRun.objects.select_related("rule__organisation")[:20],
        },
        status=400 if form.errors or org_form.errors else 200,
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    person = get_object_or_404(User, pk=pk)
    erased = services.is_erased(person)
    form = None
    problem = ""
    if not erased:
        try:
            token, _row = services.erasure_token_issue(person=person, by=request.user)
            form = EraseForm(initial={"token": token})
        except ApplicationError as exc:
            problem = exc.message
    return render(
        request,
        "privacy/person.html",
        {
            "person": person,
            "erased": erased,
            "summary": selectors.person_summary(person=person),
            "form": form,
            "problem": problem,
        },
    )


@login_required
@require_POST
def person_export_zip(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    person = get_object_or_404(User, pk=pk)
    out, _counts = person_export(person=person, by=request.user)
    return FileResponse(
        out, as_attachment=True, filename=f"person-{person.pk}.zip", content_type="application/zip"
    )


@login_required
@require_POST
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    person = get_object_or_404(User, pk=pk)
    form = EraseForm(request.POST)
    problem = ""
    status = 400
    if form.is_valid():
        try:
            services.person_erase(person=person, token=form.cleaned_data["token"], by=request.user)
        except ApplicationError as exc:
            problem = exc.message
            status = exc.status_code
        else:
            messages.success(request, _("The person was erased. The audit log records it."))
            return redirect("privacy:person", pk=person.pk)
    person.refresh_from_db()
    erased = services.is_erased(person)
    return render(
        request,
        "privacy/person.html",
        {
            "person": person,
            "erased": erased,
            "summary": selectors.person_summary(person=person),
            "form": None if erased else form,
            "problem": problem,
        },
        status=status,
    )

"""Pages: the organisation panel on the agent ticket page, the members' organisation page in the
portal (managers change members there), and the supervisors' configuration pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.errors import ApplicationError
from tickets.selectors import ticket_visible_qs

from . import services
from .forms import MemberAddForm, MemberRightsForm, OrganisationForm
from .models import Membership, Organisation
from .selectors import (
    is_manager,
    membership_visible_qs,
    memberships_of,
    organisation_member_ids,
    organisation_visible_qs,
)

ORG_TICKETS_SHOWN = 200


def _apply_error(form: Any, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- the agent ticket page ------------------------------------------------------------------------


def agent_panel_context(request: HttpRequest, ticket: Any) -> dict | None:
    """The requester's organisations (primary first) with the notes for agents (one query)."""
    memberships = memberships_of(user=ticket.requester)
    if not memberships:
        return None
    return {"memberships": memberships}


# --- the portal -----------------------------------------------------------------------------------


def _portal_organisation(request: HttpRequest, pk: int) -> Organisation:
    """One of the signed-in customer's organisations; 404 for any other, as for a missing one."""
    if request.user.is_agent:
        raise Http404
    return get_object_or_404(organisation_visible_qs(user=request.user), pk=pk)


@login_required
def portal_organisations(request: HttpRequest) -> HttpResponse:
    memberships = [] if request.user.is_agent else memberships_of(user=request.user)
    if len(memberships) == 1:
        return redirect("organisations:portal_detail", pk=memberships[0].organisation_id)
    return render(request, "organisations/portal_list.html", {"memberships": memberships})


def _portal_detail(
    request: HttpRequest, organisation: Organisation, add_form: MemberAddForm | None = None, status: int = 200
) -> HttpResponse:
    mine = Membership.objects.select_related("organisation").get(organisation=organisation, user=request.user)
    members = list(
        membership_visible_qs(user=request.user, organisation=organisation).order_by(
            "-is_manager", "user__first_name", "user__last_name", "user__email"
        )
    )
    tickets = []
    if mine.sees_organisation_tickets:
        tickets = list(
            ticket_visible_qs(user=request.user)
            .filter(requester_id__in=organisation_member_ids(organisation.pk))
            .select_related("requester", "category")
            .order_by("-updated_at", "-id")[:ORG_TICKETS_SHOWN]
        )
    context = {
        "organisation": organisation,
        "mine": mine,
        "members": members,
        "tickets": tickets,
        "add_form": add_form or MemberAddForm(),
        "domains": list(organisation.domains.values_list("domain", flat=True)),
    }
    return render(request, "organisations/portal_detail.html", context, status=status)


@login_required
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _portal_detail(request, _portal_organisation(request, pk))


def _manager_of(request: HttpRequest, pk: int) -> Organisation:
    organisation = _portal_organisation(request, pk)
    if not is_manager(user=request.user, organisation=organisation):
        raise PermissionDenied
    return organisation


@login_required
@require_POST
def portal_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _manager_of(request, pk)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.member_add_by_email(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ApplicationError as e:
            _apply_error(form, e)
        else:
            name = membership.user.get_full_name() or membership.user.email
            messages.success(request, _("%(name)s is now a member.") % {"name": name})
            return redirect("organisations:portal_detail", pk=organisation.pk)
    return _portal_detail(request, organisation, add_form=form, status=400)


def _member(organisation: Organisation, member_id: int) -> Membership:
    return get_object_or_404(organisation.memberships.select_related("user", "organisation"), pk=member_id)


@login_required
@require_POST
def portal_member_update(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    organisation = _manager_of(request, pk)
    membership = _member(organisation, member_id)
    form = MemberRightsForm(request.POST)
    form.is_valid()
    try:
        services.member_update(membership=membership, by=request.user, **form.cleaned_data)
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("organisations:portal_detail", pk=organisation.pk)


@login_required
@require_POST
def portal_member_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    organisation = _manager_of(request, pk)
    membership = _member(organisation, member_id)
    try:
        services.member_remove(membership=membership, by=request.user)
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The member was removed."))
    if membership.user_id == request.user.pk:
        return redirect("organisations:portal")
    return redirect("organisations:portal_detail", pk=organisation.pk)


# --- configuration (supervisors) --------------------------------------------------------------------


def _supervisor(request: HttpRequest) -> None:
    if not request.user.is_supervisor:
        raise PermissionDenied


def _save(
    request: HttpRequest, form: OrganisationForm, organisation: Organisation | None
) -> Organisation | None:
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    domains = data.pop("domains")
    try:
        return services.organisation_save(organisation=organisation, domains=domains, **data)
    except ApplicationError as e:
        _apply_error(form, e)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def config_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST":
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("Organisation “%(name)s” saved.") % {"name": saved.name})
            return redirect("organisations:config_edit", pk=saved.pk)
    from django.db.models import Count

    organisations = list(
        Organisation.objects.select_related("sla_policy")
        .prefetch_related("domains")
        .annotate(member_count=Count("memberships"))
    )
    return render(
        request,
        "organisations/config_list.html",
        {"organisations": organisations, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def config_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    add_form = MemberAddForm()
    if request.method == "POST":
        saved = _save(request, form, organisation)
        if saved is not None:
            messages.success(request, _("Organisation “%(name)s” saved.") % {"name": saved.name})
            return redirect("organisations:config_edit", pk=saved.pk)
    return _config_page(request, organisation, form, add_form)


def _config_page(
    request: HttpRequest, organisation: Organisation, form: OrganisationForm, add_form: MemberAddForm
) -> HttpResponse:
    members = organisation.memberships.select_related("user").order_by("user__first_name", "user__email")
    status = 400 if form.errors or add_form.errors else 200
    return render(
        request,
        "organisations/config_edit.html",
        {"organisation": organisation, "form": form, "add_form": add_form, "members": members},
        status=status,
    )


@login_required
@require_POST
def config_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    add_form = MemberAddForm(request.POST)
    if add_form.is_valid():
        try:
            services.member_add_by_email(organisation=organisation, by=request.user, **add_form.cleaned_data)
        except ApplicationError as e:
            _apply_error(add_form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("organisations:config_edit", pk=organisation.pk)
    return _config_page(request, organisation, OrganisationForm(instance=organisation), add_form)


@login_required
@require_POST
def config_member_update(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    _supervisor(request)
    membership = _member(get_object_or_404(Organisation, pk=pk), member_id)
    form = MemberRightsForm(request.POST)
    form.is_valid()
    services.member_update(membership=membership, by=request.user, **form.cleaned_data)
    messages.success(request, _("Saved."))
    return redirect("organisations:config_edit", pk=pk)


@login_required
@require_POST
def config_member_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    _supervisor(request)
    membership = _member(get_object_or_404(Organisation, pk=pk), member_id)
    services.member_remove(membership=membership, by=request.user)
    messages.success(request, _("The member was removed."))
    return redirect("organisations:config_edit", pk=pk)

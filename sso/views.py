"""The supervisors' single sign-on page: group mappings and the sign-in settings. Thin: forms
validate, services write (and the audit log records through the models' registrations)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.errors import ApplicationError
from reporting.views import supervisor_required

from . import services
from .forms import GroupMappingForm, SsoSettingsForm
from .models import GroupMapping, SignIn
from .selectors import configured_sources, group_mapping_list, sso_settings_get

RECENT_SIGN_INS = 20


def _page(
    request: HttpRequest,
    *,
    form: GroupMappingForm | None = None,
    settings_form: SsoSettingsForm | None = None,
    editing: GroupMapping | None = None,
    status: int = 200,
) -> HttpResponse:
    row = sso_settings_get()
    context = {
        "mappings": group_mapping_list(),
        "form": form or GroupMappingForm(),
        "settings_form": settings_form
        or SsoSettingsForm(
            initial={"staff_passwords_off": row.staff_passwords_off, "unmapped": row.unmapped}
        ),
        "editing": editing,
        "sources": configured_sources(),
        "sign_ins": SignIn.objects.select_related("user")[:RECENT_SIGN_INS],
    }
    return render(request, "sso/config.html", context, status=status)


@supervisor_required
@require_http_methods(["GET", "POST"])
def config(request: HttpRequest) -> HttpResponse:
    """The list of mappings and sign-ins; POST adds a mapping."""
    if request.method == "GET":
        return _page(request)
    form = GroupMappingForm(request.POST)
    if form.is_valid():
        try:
            services.group_mapping_save(**form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Mapping saved."))
            return redirect("sso:config")
    return _page(request, form=form, status=400)


@supervisor_required
@require_http_methods(["GET", "POST"])
def mapping_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(GroupMapping, pk=pk)
    if request.method == "GET":
        form = GroupMappingForm(
            initial={
                "source": mapping.source,
                "group": mapping.group,
                "role": mapping.role,
                "teams": list(mapping.teams.all()),
            }
        )
        return _page(request, form=form, editing=mapping)
    form = GroupMappingForm(request.POST)
    if form.is_valid():
        try:
            services.group_mapping_save(mapping=mapping, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Mapping saved."))
            return redirect("sso:config")
    return _page(request, form=form, editing=mapping, status=400)


@supervisor_required
@require_POST
def mapping_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.group_mapping_delete(mapping=get_object_or_404(GroupMapping, pk=pk))
    messages.success(request, _("Mapping deleted. People keep what it granted until their next sign-in."))
    return redirect("sso:config")


@supervisor_required
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    form = SsoSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.sso_settings_update(**form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Sign-in settings saved."))
            return redirect("sso:config")
    return _page(request, settings_form=form, status=400)

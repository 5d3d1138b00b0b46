"""Pages: apply a macro on the ticket page; manage macros (agents) and rules (supervisors), with a dry run."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.errors import ApplicationError
from tickets.selectors import ticket_get_for_user
from tickets.services import StaleVersion
from tickets.undo import confirm_delete

from . import selectors, services
from .forms import ActionFields, MacroForm, RuleForm
from .models import Rule

View = Callable[..., HttpResponse]


def _role(check: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not getattr(request.user, check):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


agent_required = _role("is_agent")
supervisor_required = _role("is_supervisor")


def _errors_to_form(form: Any, exc: ApplicationError) -> None:
    errors = exc.as_dict() if hasattr(exc, "errors") else {exc.field or "__all__": [exc.message]}
    for name, lines in errors.items():
        for line in lines if isinstance(lines, list) else [lines]:
            form.add_error(name if name in form.fields else None, str(line))


# --- the ticket page ---------------------------------------------------------------------------------


@agent_required
@require_POST
def macro_apply(request: HttpRequest, ticket_id: int, macro_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    macro = get_object_or_404(services.macro_visible_qs(user=request.user), pk=macro_id)
    back = reverse("tickets:agent_ticket", args=[ticket.pk])
    try:
        with transaction.atomic():
            version = request.POST.get("version")
            if version and version.isdigit() and int(version) != ticket.version:
                raise StaleVersion([])
            run = services.apply_macro(ticket, macro, request.user)
    except StaleVersion:
        messages.error(
            request, _("Not applied: this ticket changed since you opened it. Check it, then apply again.")
        )
    except ApplicationError as exc:
        messages.error(
            request,
            _("Macro “%(name)s” not applied: %(reason)s") % {"name": macro.name, "reason": exc.message},
        )
    else:
        if run.outcome == run.Outcome.NO_CHANGE:
            messages.info(request, _("Macro “%(name)s”: nothing to change.") % {"name": macro.name})
        else:
            messages.success(request, _("Macro “%(name)s” applied.") % {"name": macro.name})
    return redirect(back)


# --- macros ------------------------------------------------------------------------------------------


@agent_required
def macro_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "automation/macros.html",
        {"macros": selectors.macro_list(user=request.user)},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    macro = get_object_or_404(services.macro_visible_qs(user=request.user), pk=pk) if pk else None
    if macro is not None and not services.macro_can_edit(macro=macro, user=request.user):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if macro is not None:
        initial = {**ActionFields.initial_from(macro.actions), "name": macro.name}
        initial.update(description=macro.description, shared=macro.shared)
    form = MacroForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.macro_save(
                    user=request.user,
                    macro=macro,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data.get("description", ""),
                    shared=form.cleaned_data.get("shared", False),
                    actions=form.actions(),
                )
            except ApplicationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Macro saved."))
                return redirect("automation:macros")
    return render(request, "automation/macro_form.html", {"form": form, "macro": macro}, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    macro = get_object_or_404(services.macro_visible_qs(user=request.user), pk=pk)
    if not services.macro_can_edit(macro=macro, user=request.user):
        raise PermissionDenied
    return confirm_delete(
        request,
        macro,
        delete=lambda: services.macro_delete(macro=macro, user=request.user),
        back=reverse("automation:macros"),
        what=_("macro “%(name)s”") % {"name": macro.name},
    )


# --- rules -------------------------------------------------------------------------------------------


@supervisor_required
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(request, "automation/rules.html", {"rules": selectors.rule_list()})


@supervisor_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, initial=RuleForm.initial_for(rule) if rule else {"active": True})
    context: dict[str, Any] = {"form": form, "rule": rule}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            try:
                if "dry_run" in request.POST:
                    draft = services.rule_draft(pk=rule.pk if rule else None, **fields)
                    services.rule_check(draft)
                    hits, total = services.rule_dry_run(draft)
                    context.update(dry_run=hits, dry_run_total=total, dry_run_days=services.DRY_RUN_DAYS)
                    status = 200
                else:
                    services.rule_save(user=request.user, rule=rule, **fields)
                    messages.success(request, _("Rule saved."))
                    return redirect("automation:rules")
            except ApplicationError as exc:
                _errors_to_form(form, exc)
    return render(request, "automation/rule_form.html", context, status=status)


@supervisor_required
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    services.rule_move(rule=rule, up=request.POST.get("direction") == "up")
    return redirect("automation:rules")


@supervisor_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    runs = rule.runs.count()
    return confirm_delete(
        request,
        rule,
        delete=lambda: services.rule_delete(rule=rule),
        back=reverse("automation:rules"),
        what=_("rule “%(name)s”") % {"name": rule.name},
        consequences=[
            (
                runs,
                ngettext(
                    "Its %(n)s entry in the tickets' automation logs stays, without a link to the rule.",
                    "Its %(n)s entries in the tickets' automation logs stay, without a link to the rule.",
                    runs,
                ),
            )
        ],
    )

"""The supervisors' page of recurring tickets (Configuration menu): list with the next runs in the
site's time, create, edit, delete (with Undo)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from tickets.undo import confirm_delete

from . import services
from .forms import RecurringTicketForm
from .models import RecurringTicket


def _supervisor(request: HttpRequest) -> None:
    if not request.user.is_supervisor:
        raise PermissionDenied


def _save(
    request: HttpRequest, form: RecurringTicketForm, instance: RecurringTicket | None
) -> RecurringTicket | None:
    if not form.is_valid():
        return None
    try:
        return services.schedule_save(by=request.user, instance=instance, **form.cleaned_data)
    except ValidationError as error:
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def recurring_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    form = RecurringTicketForm(request.POST or None)
    if request.method == "POST":
        schedule = _save(request, form, None)
        if schedule is not None:
            messages.success(request, _("Recurring ticket “%(name)s” saved.") % {"name": schedule.name})
            return redirect("recurring:list")
    schedules = list(RecurringTicket.objects.select_related("requester", "team", "category", "calendar"))
    now = timezone.now()
    rows = [(s, services.next_runs(schedule=s, count=3, now=now)) for s in schedules]
    return render(
        request,
        "recurring/list.html",
        {"rows": rows, "form": form, "tz": timezone.get_current_timezone_name()},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recurring_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    schedule = get_object_or_404(RecurringTicket.objects.select_related("requester"), pk=pk)
    form = RecurringTicketForm(request.POST or None, instance=schedule)
    if request.method == "POST":
        saved = _save(request, form, schedule)
        if saved is not None:
            messages.success(request, _("Recurring ticket “%(name)s” saved.") % {"name": saved.name})
            return redirect("recurring:list")
    occurrences = schedule.occurrences.select_related("ticket")[:20]
    return render(
        request,
        "recurring/edit.html",
        {
            "schedule": schedule,
            "form": form,
            "next_runs": services.next_runs(schedule=schedule, count=10),
            "occurrences": occurrences,
            "tz": timezone.get_current_timezone_name(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recurring_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    schedule = get_object_or_404(RecurringTicket, pk=pk)
    runs = schedule.occurrences.count()
    return confirm_delete(
        request,
        schedule,
        delete=lambda: services.schedule_delete(schedule=schedule),
        back=reverse("recurring:list"),
        what=_("recurring ticket “%(name)s”") % {"name": schedule.name},
        consequences=[
            (
                runs,
                ngettext(
                    "Its log of %(n)s run goes with it; the tickets it opened stay.",
                    "Its log of %(n)s runs goes with it; the tickets it opened stay.",
                    runs,
                ),
            )
        ],
    )

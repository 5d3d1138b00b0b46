from __future__ import annotations

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

from tickets.undo import confirm_delete

from . import services
from .forms import WebhookForm
from .models import Webhook
from .services import webhook_send_test


def _supervisor(request: HttpRequest) -> None:
    if not request.user.is_supervisor:
        raise PermissionDenied


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        webhook = form.save(commit=False)
        webhook.created_by = request.user
        webhook.save()
        messages.success(request, _("Webhook saved. Its secret: %(secret)s") % {"secret": webhook.secret})
        return redirect("webhooks:detail", pk=webhook.pk)
    return render(request, "webhooks/list.html", {"webhooks": Webhook.objects.all(), "form": form})


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    webhook = get_object_or_404(Webhook, pk=pk)
    deliveries = webhook.deliveries.prefetch_related("attempt_log").order_by("-id")[:50]
    return render(request, "webhooks/detail.html", {"webhook": webhook, "deliveries": deliveries})


@login_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    webhook = get_object_or_404(Webhook, pk=pk)
    with transaction.atomic():
        webhook_send_test(webhook=webhook)
    messages.info(request, _("A test event is on its way."))
    return redirect("webhooks:detail", pk=webhook.pk)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    webhook = get_object_or_404(Webhook, pk=pk)
    sent = webhook.deliveries.count()
    return confirm_delete(
        request,
        webhook,
        delete=lambda: services.webhook_delete(webhook=webhook),
        back=reverse("webhooks:list"),
        what=_("webhook %(url)s") % {"url": webhook.url},
        consequences=[
            (
                sent,
                ngettext(
                    "Its log of %(n)s delivery is deleted with it.",
                    "Its log of %(n)s deliveries is deleted with it.",
                    sent,
                ),
            )
        ],
    )

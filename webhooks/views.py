from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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

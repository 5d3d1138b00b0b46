from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User

from .models import ApiToken


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A person's tokens that still work (revoked and expired ones are not listed)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())


def api_token_get_for_user(*, user: User, pk: int) -> ApiToken:
    """One of the person's own tokens, else 404 (another person's token is never revealed)."""
    return get_object_or_404(api_token_list(user=user), pk=pk)

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User


def person_search(*, q: str) -> QuerySet[User]:
    """People matching ``q`` (name, username or address), for supervisors only."""
    q = q.strip()[:200]
    if not q:
        return User.objects.none()
    return User.objects.filter(
        Q(username__icontains=q)
        | Q(email__icontains=q)
        | Q(first_name__icontains=q)
        | Q(last_name__icontains=q)
    ).order_by("first_name", "last_name", "id")[:50]


def person_summary(*, person: User) -> dict[str, int]:
    from tickets.models import Attachment, Message, Ticket

    return {
        "tickets": Ticket.objects.filter(requester=person).count(),
        "messages": Message.objects.filter(Q(ticket__requester=person) | Q(author=person)).count(),
        "attachments": Attachment.objects.filter(Q(ticket__requester=person) | Q(uploaded_by=person)).count(),
    }

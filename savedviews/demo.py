"""Demo data: a few saved views of the demo agents and one the supervisor shares with the Service
Desk (``seed_demo`` calls ``seed()``; idempotent)."""

from __future__ import annotations

from accounts.models import Team, User

from .models import SavedView
from .services import saved_view_create

# (owner, name, filters, sort, columns); the supervisor's view is shared with the Service Desk.
VIEWS = [
    ("agent1", "My urgent", {"tab": "mine", "priority": "P1"}, "resolution_due", None),
    (
        "agent1",
        "Phone calls this team",
        {"tab": "team", "channel": "phone"},
        "newest",
        ["reference", "subject", "status", "requester", "created", "due"],
    ),
    ("agent1", "Waiting on customer", {"tab": "open", "status": "pending"}, "updated", None),
    ("agent2", "Network, tier 2", {"tab": "team", "tier": 2}, "priority", None),
    (
        "supervisor",
        "SLA breached",
        {"tab": "open", "sla_state": "breached"},
        "resolution_due",
        ["reference", "subject", "priority", "tier_team", "assignee", "sla_state", "due"],
    ),
]


def seed() -> None:
    users = {u.username: u for u in User.objects.filter(username__in={v[0] for v in VIEWS})}
    for username, name, filters, sort, columns in VIEWS:
        owner = users.get(username)
        if owner is None or SavedView.objects.filter(owner=owner, name=name).exists():
            continue
        shared = list(Team.objects.filter(name="Service Desk")) if owner.is_supervisor else None
        saved_view_create(
            owner=owner, name=name, filters=filters, sort=sort, columns=columns, shared_with_teams=shared
        )

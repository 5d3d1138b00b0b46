"""The demo organisation and its people, shared by ``seed_demo`` and ``seed_load``.

Everything here is idempotent: running it again finds what exists and adds only what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Team, User

from .models import Category, EscalationPath

# name, tier, specialty, default for its tier
TEAMS: list[tuple[str, int, str, bool]] = [
    ("Service Desk", 1, "First contact: phone, mail, portal; passwords, how-to questions", True),
    ("Network", 2, "LAN, WLAN, VPN, firewall", False),
    ("Server", 2, "E-mail, file shares, directory, backups", True),
    ("Software", 2, "Office, ERP, business applications", False),
    ("Engineering", 3, "Root causes, changes, vendor cases", True),
]

# name, German name, tier-2 team (None: no own path, the tier default takes it), children
CATEGORIES: list[tuple[str, str, str | None, list[tuple[str, str]]]] = [
    ("Network", "Netzwerk", "Network", [("VPN", "VPN"), ("WLAN", "WLAN")]),
    ("Server", "Server", "Server", [("E-Mail", "E-Mail"), ("File shares", "Dateifreigaben")]),
    ("Software", "Software", "Software", [("Office", "Office"), ("ERP", "ERP")]),
    ("Accounts & passwords", "Konten & Passwörter", "Server", []),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    first_name: str
    last_name: str
    language: str
    teams: tuple[str, ...] = ()
    note: str = ""

    @property
    def password(self) -> str:
        return f"demo-{self.username}-2026"

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


DEMO_USERS: list[DemoUser] = [
    DemoUser("customer", User.Role.CUSTOMER, "Chris", "Miller", "en", note="customer (English)"),
    DemoUser("kunde", User.Role.CUSTOMER, "Katrin", "Bauer", "de", note="customer (German)"),
    DemoUser(
        "agent1", User.Role.AGENT, "Anna", "Weber", "de", ("Service Desk",), "agent, tier 1 Service Desk"
    ),
    DemoUser(
        "agent2",
        User.Role.AGENT,
        "Ben",
        "Novak",
        "en",
        ("Network", "Server"),
        "agent, tier 2 Network + Server",
    ),
    DemoUser("agent3", User.Role.AGENT, "Clara", "Jung", "de", ("Engineering",), "agent, tier 3 Engineering"),
    DemoUser("supervisor", User.Role.SUPERVISOR, "Sam", "Roth", "en", ("Service Desk",), "supervisor"),
]


@dataclass
class Org:
    teams: dict[str, Team] = field(default_factory=dict)
    # by English name
    categories: dict[str, Category] = field(default_factory=dict)


@transaction.atomic
def org_ensure() -> Org:
    """Teams (with one default per tier), the category tree and its escalation paths."""
    org = Org()
    for name, tier, specialty, default in TEAMS:
        team, _ = Team.objects.get_or_create(name=name, defaults={"tier": tier, "specialty": specialty})
        if default and not Team.objects.filter(tier=tier, is_default_for_tier=True).exists():
            team.is_default_for_tier = True
            team.save(update_fields=["is_default_for_tier"])
        org.teams[name] = team
    t1, t3 = org.teams["Service Desk"], org.teams["Engineering"]
    for name, name_de, t2_name, children in CATEGORIES:
        parent, _ = Category.objects.get_or_create(name=name, parent=None, defaults={"name_de": name_de})
        org.categories[name] = parent
        # Paths on the parent; the children inherit them (route_team walks up the tree).
        for tier, team in ((1, t1), (2, org.teams[t2_name] if t2_name else None), (3, t3)):
            if team is not None:
                EscalationPath.objects.get_or_create(category=parent, tier=tier, defaults={"team": team})
        for child_name, child_de in children:
            child, _ = Category.objects.get_or_create(
                name=child_name, parent=parent, defaults={"name_de": child_de}
            )
            org.categories[child_name] = child
    return org


@transaction.atomic
def demo_users_ensure(org: Org) -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username,
                email=spec.email,
                first_name=spec.first_name,
                last_name=spec.last_name,
                role=spec.role,
                language=spec.language,
            )
            user.set_password(spec.password)
            user.save()
            user.teams.set([org.teams[t] for t in spec.teams])
        users[spec.username] = user
    return users


def logins_text() -> str:
    """The demo logins that exist in this database (none in a database without demo users)."""
    existing = set(
        User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list("username", flat=True)
    )
    rows = [u for u in DEMO_USERS if u.username in existing]
    if not rows:
        return ""
    width = max(len(u.username) for u in rows)
    lines = ["Demo logins (sign in at /accounts/login/):"]
    lines += [f"  {u.username:<{width}}  {u.password:<24}  {u.note}" for u in rows]
    return "\n".join(lines)

"""Demo data: two organisations with members, one on a "Premium" contract with its own calendar.

``seed_demo`` calls ``seed()`` before its tickets (so the Premium customer's tickets are played on the
Premium policy). Idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from accounts.services import customer_create_by_agent

from . import services
from .models import Membership, Organisation

EXTENDED_HOURS = {str(day): [["07:00", "20:00"]] for day in range(6)}  # Mon–Sat

# name, domain, members see each other's tickets, notes for agents, Premium contract
ORGANISATIONS = [
    (
        "Northwind Traders",
        "northwind.example",
        False,
        "Key account. Escalate outages of the web shop at once; the IT lead is Chris Miller.",
        True,
    ),
    (
        "Bauer & Söhne GmbH",
        "bauer-soehne.example",
        True,
        "Familienbetrieb, 40 Arbeitsplätze. Ansprechpartnerin: Katrin Bauer. Rechnungen an die Buchhaltung.",
        False,
    ),
]
# organisation, demo login (already made by seed_demo) or (email, first, last, language), manager, sees all
MEMBERS = [
    ("Northwind Traders", "customer", True, False),
    ("Northwind Traders", ("pat.lee@northwind.example", "Pat", "Lee", "en"), False, True),
    ("Northwind Traders", ("morgan.diaz@northwind.example", "Morgan", "Diaz", "en"), False, False),
    ("Bauer & Söhne GmbH", "kunde", True, False),
    ("Bauer & Söhne GmbH", ("jonas.krueger@bauer-soehne.example", "Jonas", "Krüger", "de"), False, False),
]


def premium_policy():  # noqa: ANN201
    from sla.models import Calendar, SlaPolicy

    calendar, _ = Calendar.objects.get_or_create(
        name="Extended hours (Berlin)",
        defaults={"timezone": "Europe/Berlin", "working_hours": EXTENDED_HOURS, "holiday_state": "BE"},
    )
    policy, _ = SlaPolicy.objects.get_or_create(
        name="Premium",
        defaults={
            "calendar": calendar,
            "p1_first_response": 15,
            "p1_resolution": 120,
            "p2_first_response": 30,
            "p2_resolution": 240,
            "p3_first_response": 60,
            "p3_resolution": 720,
            "p4_first_response": 120,
            "p4_resolution": 1440,
        },
    )
    return policy


def seed() -> None:
    today = timezone.localdate()
    orgs: dict[str, Organisation] = {}
    for name, domain, shared, notes, premium in ORGANISATIONS:
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            fields = {"name": name, "members_see_all_tickets": shared, "notes": notes}
            if premium:
                fields |= {
                    "sla_policy": premium_policy(),
                    "contract": "Premium support",
                    "contract_starts": today - timedelta(days=365),
                    "contract_ends": today + timedelta(days=365),
                }
            org = services.organisation_save(domains=[domain], **fields)
        orgs[name] = org
    for org_name, who, manager, sees_all in MEMBERS:
        org = orgs[org_name]
        if isinstance(who, str):
            user = User.objects.filter(username=who).first()
        else:
            email, first, last, language = who
            user = User.objects.filter(email__iexact=email).first() or customer_create_by_agent(
                email=email, first_name=first, last_name=last, language=language
            )
        if user is None:
            continue
        membership = Membership.objects.filter(organisation=org, user=user).first()
        if membership is None:
            membership = services.member_add(organisation=org, user=user)
        services.member_update(membership=membership, is_manager=manager, sees_all_tickets=sees_all)

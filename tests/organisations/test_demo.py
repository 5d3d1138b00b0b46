"""The demo data: two organisations with members, a Premium policy with its own calendar for one."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from organisations.models import Organisation
from sla.models import TicketSla

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_two_organisations_with_members_and_a_premium_contract():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent
    orgs = {o.name: o for o in Organisation.objects.all()}
    assert set(orgs) == {"Northwind Traders", "Bauer & Söhne GmbH"}
    northwind, bauer = orgs["Northwind Traders"], orgs["Bauer & Söhne GmbH"]
    assert northwind.memberships.count() == 3
    assert bauer.memberships.count() == 2
    assert northwind.memberships.filter(is_manager=True, user__username="customer").exists()
    assert bauer.members_see_all_tickets
    assert northwind.sla_policy.name == "Premium"
    assert northwind.sla_policy.calendar.name == "Extended hours (Berlin)"
    # the Premium customer's demo tickets run on the Premium policy, the others' do not
    premium = TicketSla.objects.filter(policy__name="Premium")
    assert premium.exists()
    assert not premium.exclude(ticket__requester__username="customer").exists()

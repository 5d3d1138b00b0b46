"""An organisation's contract policy in the SLA precedence: customer > organisation > category > default."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organisations import demo, services
from sla.services import policy_for
from tests.factories import CategoryFactory
from tickets import services as ts

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(db):  # noqa: ANN001, ANN201
    from sla import demo as sla_demo

    return sla_demo.default_policy()


@pytest.fixture
def premium(db):  # noqa: ANN001, ANN201
    return demo.premium_policy()


def create(requester, **kw):  # noqa: ANN001, ANN003, ANN201
    return ts.ticket_create(requester=requester, by=requester, subject="VPN", description="d", **kw)


def test_the_primary_organisations_premium_policy_with_its_calendar_wins_over_category_and_default(
    acme, alice, standard, premium
):
    from sla.models import SlaPolicy

    cat = CategoryFactory(name="Network")
    SlaPolicy.objects.create(name="Network", calendar=standard.calendar, category=cat)
    services.organisation_save(organisation=acme, sla_policy=premium)
    services.member_add(organisation=acme, user=alice)
    # when
    ticket = create(alice, category=cat)
    # then
    assert ticket.sla.policy == premium
    assert ticket.sla.policy.calendar.name == "Extended hours (Berlin)"


def test_a_customers_own_policy_still_wins(acme, alice, standard, premium):
    from sla.models import SlaPolicy

    own = SlaPolicy.objects.create(name="Alice's", calendar=standard.calendar, customer=alice)
    services.organisation_save(organisation=acme, sla_policy=premium)
    services.member_add(organisation=acme, user=alice)
    assert create(alice).sla.policy == own


def test_only_the_primary_organisation_counts(acme, globex, alice, standard, premium):
    services.organisation_save(organisation=globex, sla_policy=premium)
    services.member_add(organisation=acme, user=alice)  # primary
    services.member_add(organisation=globex, user=alice)
    assert create(alice).sla.policy == standard


@pytest.mark.parametrize(
    ("starts", "ends", "applies"),
    [
        (None, None, True),
        (-10, 10, True),
        (-30, -1, False),  # ended
        (1, 30, False),  # not begun
    ],
)
def test_the_policy_applies_while_the_contract_runs(acme, alice, standard, premium, starts, ends, applies):
    today = timezone.localdate()

    def day(offset):  # noqa: ANN001, ANN202
        return None if offset is None else today + dt.timedelta(days=offset)

    services.organisation_save(
        organisation=acme, sla_policy=premium, contract_starts=day(starts), contract_ends=day(ends)
    )
    services.member_add(organisation=acme, user=alice)
    ticket = create(alice)
    assert policy_for(ticket=ticket) == (premium if applies else standard)

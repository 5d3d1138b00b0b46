"""Organisations: Acme (alice's company, acme.example) with ``carla`` (a member with the right to see all
of its tickets), ``mark`` (its manager) and ``nora`` (a member without the right); Globex, which shares
every ticket with its members, with bob and ``olga``. Olga and bob are outsiders to Acme."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from organisations import services
from organisations.models import Organisation
from tests.factories import UserFactory
from tickets import services as ts


def customer(username: str, domain: str, first_name: str) -> User:
    return UserFactory(username=username, email=f"{username}@{domain}", first_name=first_name)


@pytest.fixture
def acme(db) -> Organisation:  # noqa: ANN001
    return services.organisation_save(name="Acme", domains=["acme.example"], notes="Call before 10.")


@pytest.fixture
def globex(db) -> Organisation:  # noqa: ANN001
    return services.organisation_save(name="Globex", domains=["globex.example"], members_see_all_tickets=True)


@pytest.fixture
def people(acme, globex, alice, bob) -> dict[str, User]:  # noqa: ANN001
    """Alice and bob as the existing personas join by hand (their addresses are @example.com)."""
    services.member_add(organisation=acme, user=alice)
    services.member_add(organisation=globex, user=bob)
    carla = customer("carla", "acme.example", "Carla")  # join by domain
    mark = customer("mark", "acme.example", "Mark")
    nora = customer("nora", "acme.example", "Nora")
    olga = customer("olga", "globex.example", "Olga")
    services.member_update(membership=carla.org_memberships.get(), sees_all_tickets=True)
    services.member_update(membership=mark.org_memberships.get(), is_manager=True)
    return {"alice": alice, "bob": bob, "carla": carla, "mark": mark, "nora": nora, "olga": olga}


@pytest.fixture
def tickets(people) -> dict[str, Any]:  # noqa: ANN001
    alice, bob = people["alice"], people["bob"]
    return {
        "alice": ts.ticket_create(
            requester=alice, by=alice, subject="Printer jammed", description="Acme floor 2"
        ),
        "nora": ts.ticket_create(
            requester=people["nora"], by=people["nora"], subject="Printer toner", description="n"
        ),
        "bob": ts.ticket_create(requester=bob, by=bob, subject="Printer offline", description="Globex"),
    }

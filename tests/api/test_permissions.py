"""Who may do what: every endpoint × anonymous / customer A (alice) / customer B (bob) / agent / supervisor.

401 not signed in, 403 the role may not, 404 the caller may not see the ticket (exactly like an id that
does not exist). For alice's ticket, bob always gets 404, never 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import CategoryFactory
from tickets import services

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "alice", "bob", "tina", "sam"]


@pytest.fixture
def world(alice, bob, tina, sam, service_desk) -> dict[str, Any]:  # noqa: ANN001
    """Alice's new ticket ``T`` (with an attachment ``A``) and her resolved ticket ``R``."""
    T = services.ticket_create(requester=alice, by=alice, subject="VPN", description="drops")
    R = services.ticket_create(requester=alice, by=alice, subject="Mail", description="slow")
    services.ticket_resolve(ticket=R, by=tina, resolution="Fixed")
    A = services.attachment_add(ticket=T, by=alice, file=SimpleUploadedFile("a.txt", b"a"))
    return {"T": T.pk, "R": R.pk, "A": A.pk, "team": service_desk.pk, "cat": CategoryFactory(name="Cat").pk}


Body = Callable[[dict[str, Any]], dict[str, Any]] | None

# (method, path, body, expected status for anonymous, alice, bob, tina, sam)
MATRIX: list[tuple[str, str, Body, tuple[int, int, int, int, int]]] = [
    (
        "post",
        "/api/v1/auth/token/",
        lambda w: {"username": "alice", "password": "pw-Secret-123"},
        (200, 200, 200, 200, 200),
    ),
    ("get", "/api/v1/tickets/", None, (401, 200, 200, 200, 200)),
    ("post", "/api/v1/tickets/", lambda w: {"subject": "s", "description": "d"}, (401, 201, 201, 201, 201)),
    ("get", "/api/v1/tickets/{T}/", None, (401, 200, 404, 200, 200)),
    ("get", "/api/v1/tickets/999999/", None, (401, 404, 404, 404, 404)),
    ("patch", "/api/v1/tickets/{T}/", lambda w: {"priority": "P1"}, (401, 403, 404, 200, 200)),
    ("get", "/api/v1/tickets/{T}/messages/", None, (401, 200, 404, 200, 200)),
    ("post", "/api/v1/tickets/{T}/messages/", lambda w: {"body": "hi"}, (401, 201, 404, 201, 201)),
    ("post", "/api/v1/tickets/999999/messages/", lambda w: {"body": "hi"}, (401, 404, 404, 404, 404)),
    ("get", "/api/v1/tickets/{T}/attachments/", None, (401, 200, 404, 200, 200)),
    ("get", "/api/v1/tickets/{T}/attachments/{A}/download/", None, (302, 200, 404, 200, 200)),
    ("get", "/api/v1/tickets/{R}/attachments/{A}/download/", None, (302, 404, 404, 404, 404)),
    ("get", "/api/v1/tickets/{T}/events/", None, (401, 404, 404, 200, 200)),
    ("post", "/api/v1/tickets/{T}/resolve/", lambda w: {"resolution": "done"}, (401, 403, 404, 200, 200)),
    ("post", "/api/v1/tickets/{R}/reopen/", None, (401, 200, 404, 200, 200)),
    ("post", "/api/v1/tickets/{T}/close/", None, (401, 403, 404, 200, 200)),
    ("post", "/api/v1/tickets/{R}/rating/", lambda w: {"score": 4}, (401, 201, 404, 403, 403)),
    ("get", "/api/v1/users/", None, (401, 403, 403, 200, 200)),
    (
        "post",
        "/api/v1/users/",
        lambda w: {
            "username": "new",
            "email": "n@example.com",
            "password": "Long-enough-pw-42",
            "role": "agent",
        },
        (401, 403, 403, 403, 201),
    ),
    ("get", "/api/v1/users/me/", None, (401, 200, 200, 200, 200)),
    ("get", "/api/v1/teams/", None, (401, 403, 403, 200, 200)),
    ("get", "/api/v1/teams/{team}/", None, (401, 403, 403, 200, 200)),
    ("post", "/api/v1/teams/", lambda w: {"name": "New", "tier": 2}, (401, 403, 403, 403, 201)),
    ("patch", "/api/v1/teams/{team}/", lambda w: {"specialty": "x"}, (401, 403, 403, 403, 200)),
    ("get", "/api/v1/categories/", None, (401, 200, 200, 200, 200)),
    ("post", "/api/v1/categories/", lambda w: {"name": "New"}, (401, 403, 403, 403, 201)),
    ("delete", "/api/v1/categories/{cat}/", None, (401, 403, 403, 403, 204)),
    ("get", "/api/v1/escalation-paths/", None, (401, 403, 403, 200, 200)),
    (
        "post",
        "/api/v1/escalation-paths/",
        lambda w: {"category": w["cat"], "tier": 1, "team": w["team"]},
        (401, 403, 403, 403, 201),
    ),
    ("get", "/api/schema/", None, (200, 200, 200, 200, 200)),
]


def _client(user: Any, path: str) -> APIClient:
    client = APIClient()
    if user is not None and path.endswith("/download/"):
        client.force_login(user)  # the plain download view reads the session
    elif user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    MATRIX,
    ids=[f"{m.upper()} {p}" for m, p, _b, _e in MATRIX],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(request, world, persona, method, path, body, expected):
    # given
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    url = path.format(**world)
    # when
    kwargs = {"data": body(world), "format": "json"} if body else {}
    response = getattr(_client(user, path), method)(url, **kwargs)
    # then
    assert response.status_code == expected[PERSONAS.index(persona)], getattr(response, "data", response)


# --- organisations (issue #14): the same endpoints for customers in organisations -----------------
# ``member``: in alice's organisation without the right (it does not share tickets); ``colleague``: in
# it with "sees all of the organisation's tickets"; ``manager``: its manager; ``outsider``: in another
# organisation that shares everything with its members. Each row: expected for (member, colleague,
# manager, outsider); rows not listed expect what bob gets (a customer who sees none of alice's things).
ORG_PERSONAS = ["member", "colleague", "manager", "outsider"]
_SEES = {  # what the colleague and the manager get for alice's tickets (member and outsider: as bob)
    "GET /api/v1/tickets/{T}/": 200,
    "PATCH /api/v1/tickets/{T}/": 403,
    "GET /api/v1/tickets/{T}/messages/": 200,
    "POST /api/v1/tickets/{T}/messages/": 201,
    "GET /api/v1/tickets/{T}/attachments/": 200,
    "GET /api/v1/tickets/{T}/attachments/{A}/download/": 200,
    "POST /api/v1/tickets/{T}/resolve/": 403,
    "POST /api/v1/tickets/{R}/reopen/": 403,  # only the requester reopens
    "POST /api/v1/tickets/{T}/close/": 403,
    "POST /api/v1/tickets/{R}/rating/": 403,  # only the requester rates
}


def _org_expected(key: str, bob: int) -> tuple[int, int, int, int]:
    seen = _SEES.get(key, bob)
    return (bob, seen, seen, bob)


ORG_MATRIX = [(m, p, b, _org_expected(f"{m.upper()} {p}", e[2])) for m, p, b, e in MATRIX]


@pytest.fixture
def org_world(world, alice, bob):  # noqa: ANN001
    from organisations import services as org_services
    from tests.factories import UserFactory

    acme = org_services.organisation_save(name="Acme")
    globex = org_services.organisation_save(name="Globex", members_see_all_tickets=True)
    people = {name: UserFactory(username=name, first_name=name.title()) for name in ORG_PERSONAS}
    org_services.member_add(organisation=acme, user=alice)
    org_services.member_add(organisation=acme, user=people["member"])
    org_services.member_add(organisation=acme, user=people["colleague"], sees_all_tickets=True)
    org_services.member_add(organisation=acme, user=people["manager"], is_manager=True)
    org_services.member_add(organisation=globex, user=people["outsider"])
    org_services.member_add(organisation=globex, user=bob)
    return {**world, "people": people}


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    ORG_MATRIX,
    ids=[f"{m.upper()} {p}" for m, p, _b, _e in ORG_MATRIX],
)
@pytest.mark.parametrize("persona", ORG_PERSONAS)
def test_permission_matrix_of_organisation_members(org_world, persona, method, path, body, expected):
    # given
    user = org_world["people"][persona]
    url = path.format(**org_world)
    if "auth/token" in path:
        body = lambda w: {"username": persona, "password": "pw-Secret-123"}  # noqa: E731
    # when
    kwargs = {"data": body(org_world), "format": "json"} if body else {}
    response = getattr(_client(user, path), method)(url, **kwargs)
    # then
    assert response.status_code == expected[ORG_PERSONAS.index(persona)], getattr(response, "data", response)

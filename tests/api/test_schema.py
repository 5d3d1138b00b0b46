from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_lists_the_ticket_api():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/tickets/",
        "/api/v1/tickets/{id}/",
        "/api/v1/tickets/{ticket_id}/messages/",
        "/api/v1/tickets/{ticket_id}/attachments/",
        "/api/v1/tickets/{ticket_id}/events/",
        "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}/download/",
        "/api/v1/tickets/{ticket_id}/resolve/",
        "/api/v1/tickets/{ticket_id}/reopen/",
        "/api/v1/tickets/{ticket_id}/close/",
        "/api/v1/tickets/{ticket_id}/rating/",
        "/api/v1/users/",
        "/api/v1/users/me/",
        "/api/v1/teams/",
        "/api/v1/categories/",
        "/api/v1/escalation-paths/",
    ]:
        assert path in paths, path
    list_params = {p["name"] for p in paths["/api/v1/tickets/"]["get"]["parameters"]}
    assert {
        "status",
        "tier",
        "team",
        "assignee",
        "q",
        "ordering",
        "cursor",
        "page_size",
        "sla_state",
    } <= list_params
    assert "Idempotency-Key" in {p["name"] for p in paths["/api/v1/tickets/"]["post"]["parameters"]}
    assert set(paths["/api/v1/tickets/{id}/"]) >= {"get", "patch"}
    assert "put" not in paths["/api/v1/tickets/{id}/"]


def test_the_docs_page_is_served_without_the_internet():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # every script and stylesheet comes from our own static files (drf-spectacular-sidecar)
    assert "cdn.jsdelivr.net" not in html
    assert "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/" in html

"""Error pages look like the product, in the visitor's language, and never show Django's own."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import path

pytestmark = pytest.mark.django_db


def _boom(request):  # noqa: ANN001, ANN202
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.parametrize(
    ("language", "title", "link"),
    [("en", "Page not found", "Go to the help centre"), ("de", "Seite nicht gefunden", "Zum Hilfe-Center")],
)
def test_not_found_is_our_page_in_the_visitors_language(language: str, title: str, link: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert f"<h1>{title}</h1>" in body
    assert link in body
    assert 'class="langswitch"' in body  # the site's own layout, not a bare page


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Something went wrong"), ("de", "Etwas ist schiefgegangen")]
)
def test_server_error_is_our_page(language: str, title: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    with override_settings(ROOT_URLCONF=__name__):
        response = client.get("/boom/")

    assert response.status_code == 500
    body = response.content.decode()
    assert f"<h1>{title}</h1>" in body
    assert "Traceback" not in body

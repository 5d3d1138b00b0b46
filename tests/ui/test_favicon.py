"""Every page names its icon (SVG, PNG fallback) and ``/favicon.ico`` is there: no 404 in any page's log."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def _static_file(url: str) -> bytes:
    path = finders.find(url.removeprefix("/" + settings.STATIC_URL.strip("/") + "/"))
    assert path, f"{url} is not a static file"
    with open(path, "rb") as f:
        return f.read()


@pytest.mark.parametrize("who", ["anonymous", "alice", "tina"])
def test_pages_link_an_svg_icon_with_a_png_fallback(client, who, request):  # noqa: ANN001
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    html = client.get("/accounts/login/" if who == "anonymous" else "/", follow=True).content.decode()
    icons = dict(re.findall(r'<link rel="icon" href="([^"]+)" type="([^"]+)"', html))
    assert set(icons.values()) == {"image/svg+xml", "image/png"}
    svg = next(url for url, kind in icons.items() if kind == "image/svg+xml")
    png = next(url for url, kind in icons.items() if kind == "image/png")
    assert _static_file(svg).startswith(b"<svg")
    assert _static_file(png).startswith(b"\x89PNG")


def test_favicon_ico_at_the_root_is_served_from_static(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert _static_file(response["Location"])[:4] == b"\x00\x00\x01\x00"  # an ICO file

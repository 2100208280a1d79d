"""Every page links the vendored icon, and /favicon.ico (asked for without reading a page) leads to it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_pages_link_the_svg_and_ico_icons(client):
    page = client.get("/login/").content.decode()
    assert 'rel="icon" href="/static/web/favicon.svg" type="image/svg+xml"' in page
    assert 'href="/static/web/favicon.ico"' in page


def test_favicon_ico_redirects_to_the_vendored_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/web/favicon.ico"
    icon = b"".join(client.get(response["Location"]).streaming_content)
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO header, not an HTML error page

"""Small pieces of the site shell that are not pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """/favicon.ico, which browsers and bookmark tools ask for without reading the page: the vendored icon."""
    return HttpResponsePermanentRedirect(static("web/favicon.ico"))

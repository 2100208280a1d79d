"""Authentication for the API: integration keys (Bearer or X-Api-Key) and web sessions.

Sessions come with Django's CSRF check (ninja's SessionAuth); keys do not need
it because a browser never sends them on its own.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from .keys import find_api_key


def _key_user(request: HttpRequest, raw: str):
    key = find_api_key(raw)
    if key is None:
        return None
    request.user = key.user  # the scoped query layer then treats the key like its user
    request.api_key = key
    return key.user


class BearerKey(HttpBearer):
    """``Authorization: Bearer jc_…``"""

    def authenticate(self, request: HttpRequest, token: str):
        return _key_user(request, token)


class HeaderKey(APIKeyHeader):
    """``X-Api-Key: jc_…`` for clients that cannot set Authorization."""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        return _key_user(request, key or "")


class ActiveSession(SessionAuth):
    """A logged-in, active web user (CSRF enforced on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [BearerKey(), HeaderKey(), ActiveSession()]

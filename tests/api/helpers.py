"""Helpers for API tests: clients that authenticate as a user or with an integration key."""

from __future__ import annotations

from django.test import Client

from jiceng.api.keys import do_create_api_key


def client_for(user) -> Client:
    """A web-session client logged in as ``user`` (CSRF not enforced, as in a browser with the token)."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def key_client(name: str, area_code: str | None = None) -> tuple[Client, str]:
    """A client sending a fresh integration key as a Bearer token."""
    _key, raw = do_create_api_key(name, area_code=area_code)
    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}"), raw


def post_json(client: Client, path: str, data: dict, **headers):
    return client.post(path, data, content_type="application/json", **headers)

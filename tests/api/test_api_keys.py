"""Integration keys: created once, stored hashed, scoped like a user, revocable."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from jiceng.api.keys import do_create_api_key, do_revoke_api_key
from jiceng.api.models import ApiKey
from jiceng.cases.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_key_once_and_stores_only_its_hash(world):
    out = io.StringIO()
    call_command("apikey", "create", "--name", "12345热线", "--area", world.county.code, stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    key = ApiKey.objects.get(name="12345热线")
    assert raw.startswith("jc_") and raw not in (key.key_hash, key.key_hint) and key.key_hint == raw[:10]
    assert key.user.role == "integration" and key.user.scope_area_id == world.county.code
    listing = io.StringIO()
    call_command("apikey", "list", stdout=listing)
    assert "12345热线" in listing.getvalue() and raw not in listing.getvalue()


def test_a_key_authenticates_by_bearer_or_header(world):
    _, raw = do_create_api_key("cameras")
    for headers in ({"HTTP_AUTHORIZATION": f"Bearer {raw}"}, {"HTTP_X_API_KEY": raw}):
        r = Client(HTTP_HOST="localhost").get("/api/v1/me", **headers)
        assert r.status_code == 200 and r.json()["username"] == "api-cameras"


def test_a_revoked_or_wrong_key_is_refused(world):
    _, raw = do_create_api_key("old-system")
    do_revoke_api_key("old-system")
    for key in (raw, raw + "x", "jc_nothing"):
        r = Client(HTTP_HOST="localhost").get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_it_rejects_an_unknown_area_or_a_duplicate_name(world):
    do_create_api_key("dup")
    with pytest.raises(InvalidInput) as dup:
        do_create_api_key("dup")
    with pytest.raises(InvalidInput) as area:
        do_create_api_key("nowhere", area_code="431102999999")
    assert (dup.value.field, area.value.field) == ("name", "area")
    with pytest.raises(CommandError):
        call_command("apikey", "create", "--name", "dup", stdout=io.StringIO(), stderr=io.StringIO())
    assert ApiKey.objects.count() == 1

"""Only administrators import the registry: refused in the domain, and so through the command line, the page and REST."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.imports import do_import_registry, registry_template
from jiceng.accounts.models import Role
from jiceng.areas.models import Area
from jiceng.errors import NotPermitted

from tests.api.helpers import client_for, key_client

from .helpers import new_township, xlsx_bytes

NOT_ADMINS = ["leader", "auditor", "county-centre", "resident-1"]


def _file(world) -> bytes:
    township, _village = new_township(world)
    return xlsx_bytes("areas", [[township, "新建镇", ""]])


def test_only_the_administrator_role_has_the_capability():
    assert [r for r in Role if can(type("U", (), {"is_authenticated": True, "role": r})(), Capability.IMPORT_REGISTRY)] == [Role.ADMIN]


@pytest.mark.parametrize("username", NOT_ADMINS)
def test_the_domain_refuses(world, username):
    user = world.users[username]
    with pytest.raises(NotPermitted):
        do_import_registry(user, "areas", _file(world), "a.xlsx")
    with pytest.raises(NotPermitted):
        registry_template(user, "areas")


def test_the_command_line_refuses(world, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_file(world))
    with pytest.raises(CommandError) as caught:
        call_command("import_registry", "areas", str(path), "--as", "leader")
    assert "只有管理员" in str(caught.value) and Area.objects.count() == Area.objects.exclude(name="新建镇").count()


def test_the_page_refuses(world):
    client = client_for(world.users["tz-" + world.townships[0].code[6:9]])
    assert client.get("/registry/import/").status_code == 403
    response = client.post("/registry/import/", {"kind": "areas", "file": SimpleUploadedFile("a.xlsx", _file(world))})
    assert response.status_code == 403 and not Area.objects.filter(name="新建镇").exists()
    assert 'href="/registry/import/"' not in client.get("/").content.decode()


def test_rest_refuses_a_user_and_an_integration_key(world):
    client = client_for(world.users["leader"])
    response = client.post("/api/v1/imports/areas", {"file": SimpleUploadedFile("a.xlsx", _file(world))})
    assert response.status_code == 403 and "只有管理员" in response.json()["message"]
    assert client.get("/api/v1/imports/templates/areas").status_code == 403
    keyed, _raw = key_client("hotline")
    assert keyed.post("/api/v1/imports/users", {"file": SimpleUploadedFile("a.xlsx", _file(world))}).status_code == 403
    assert not Area.objects.filter(name="新建镇").exists()

"""The 等保 2.0 level-3 baseline, item by item (docs/security.md)."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from jiceng.cases.models import Case

pytestmark = pytest.mark.django_db
PASSWORD = "Right-Pass-2026"


@pytest.fixture
def admin(users):
    user = users["admin"]
    user.password = make_password(PASSWORD)
    user.save()
    return user


def _login(password: str, username: str = "admin") -> Client:
    client = Client(HTTP_HOST="localhost")
    client.response = client.post("/login/", {"username": username, "password": password})
    return client


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(admin):
    for _ in range(4):
        assert _login("wrong-password").response.status_code == 200  # the form again, with its error
    assert _login("wrong-password").response.status_code == 429  # the fifth failure locks
    locked = _login(PASSWORD).response
    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode() and "30 分钟" in locked.content.decode()
    assert "_auth_user_id" not in _login(PASSWORD).session


def test_an_administrator_unlocks_with_the_cli(admin):
    for _ in range(5):
        _login("wrong-password")
    call_command("unlock", "admin", stdout=io.StringIO())
    ok = _login(PASSWORD)
    assert ok.response.status_code == 302 and ok.session["_auth_user_id"] == str(admin.pk)


def test_a_success_before_the_limit_resets_the_count(admin):
    for _ in range(4):
        _login("wrong-password")
    assert _login(PASSWORD).response.status_code == 302
    for _ in range(4):
        _login("wrong-password")
    assert _login(PASSWORD).response.status_code == 302


@pytest.mark.parametrize("password,reason", [
    ("Ab1-xyz", "太短"), ("abcdefghijkl", "至少包含以下 3 类字符"), ("1234567890123", "只包含数字"), ("password", "太常见"),
])
def test_the_password_policy_refuses_weak_passwords_in_chinese(admin, password, reason):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password, admin)
    assert any(reason in m for m in exc.value.messages), exc.value.messages


def test_the_password_policy_accepts_a_mixed_password(admin):
    validate_password("Zhen-Xiang-2026", admin)
    validate_password("jiceng-demo-2026", admin)  # the demo password: lower case, digits, hyphens


def test_new_passwords_are_argon2_and_old_hashes_upgrade_at_login(admin):
    admin.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    admin.save()
    assert _login(PASSWORD).response.status_code == 302
    admin.refresh_from_db()
    assert admin.password.startswith("argon2")


def test_an_idle_session_expires(admin):
    client = _login(PASSWORD)
    assert client.get("/cases/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    r = client.get("/cases/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_every_request_renews_the_idle_clock(admin, settings):
    client = _login(PASSWORD)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    client.get("/cases/")
    left = Session.objects.get().expire_date - timezone.now()
    assert left > timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1)


def test_pages_carry_the_content_security_policy(world):
    r = Client(HTTP_HOST="localhost").get("/login/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"


def test_a_text_plain_json_body_from_a_foreign_origin_is_refused(world):
    cache.clear()
    body = {"category": "yinhuan-fire", "area": world.villages[0].code, "title": "楼道堆放杂物", "description": "三楼楼道堆满纸箱",
            "anonymous": True, "fields": {"hazard_level": "一般", "rectify_by": "2026-12-31"}}
    client = Client(HTTP_HOST="localhost")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        r = client.post("/api/v1/public/cases", json.dumps(body), content_type=content_type, HTTP_ORIGIN="https://evil.example")
        assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type", (content_type, r.content)
    assert Case.objects.count() == 0
    assert client.post("/api/v1/public/cases", body, content_type="application/json").status_code == 201


def test_attachments_are_written_0600_in_0700_directories(world, django_capture_on_commit_callbacks, settings):
    from jiceng.cases.actions import Upload, do_case_action
    from jiceng.cases.models import Attachment
    from tests.cases.helpers import handling_case, village_staff

    case = handling_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        do_case_action(case, "note", village_staff(world, case.area_id), {"note": "照片"},
                       uploads=[Upload("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10, "image/png")])
    path = settings.MEDIA_ROOT / Attachment.objects.get().storage_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_an_executable_declared_as_an_image_is_refused(world):
    from jiceng.cases.actions import Upload, do_case_action
    from jiceng.cases.errors import InvalidInput
    from tests.cases.helpers import handling_case, village_staff

    case = handling_case(world)
    for content in (b"MZ\x90\x00" + b"\x00" * 200, b"\x7fELF\x02\x01\x01" + b"\x00" * 200, b"just text"):
        with pytest.raises(InvalidInput) as exc:
            do_case_action(case, "note", village_staff(world, case.area_id), {"note": "照片"}, uploads=[Upload("a.png", content, "image/png")])
        assert exc.value.field == "files"


def _settings_in_a_fresh_process(tmp_path, **env) -> dict:
    """Import the settings as a deployment would (no test runner), with ``env``, and report what they say."""
    code = """
import json, os, stat, django
django.setup()
from django.conf import settings
from django.db import connection
connection.ensure_connection()
mode = lambda p: oct(stat.S_IMODE(os.stat(p).st_mode))
print(json.dumps({
    "hosts": settings.ALLOWED_HOSTS, "secure_cookie": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS, "csp": bool(settings.CONTENT_SECURITY_POLICY), "csp_ro": bool(settings.CONTENT_SECURITY_POLICY_REPORT_ONLY),
    "session_age": settings.SESSION_COOKIE_AGE, "data_dir": mode(settings.DATA_DIR), "secret": mode(settings.DATA_DIR / "secret_key"),
    "sqlite": mode(settings.DATABASES["default"]["NAME"]), "hasher": settings.PASSWORD_HASHERS[0],
}))
"""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "jiceng.settings", "JICENG_DATA_DIR": str(tmp_path / "data"), **env})
    out = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_defaults_are_strict(tmp_path):
    s = _settings_in_a_fresh_process(tmp_path)
    assert s["hosts"] == ["127.0.0.1", "localhost"]  # no testserver
    assert (s["data_dir"], s["secret"], s["sqlite"]) == ("0o700", "0o600", "0o600")
    assert s["csp"] and not s["csp_ro"] and s["session_age"] == 30 * 60
    assert not s["secure_cookie"] and s["hsts"] == 0 and s["hasher"].endswith("Argon2PasswordHasher")


def test_https_deployments_get_secure_cookies_and_hsts(tmp_path):
    s = _settings_in_a_fresh_process(tmp_path, JICENG_HTTPS="1", JICENG_SESSION_IDLE_MINUTES="10", JICENG_CSP="report-only",
                                     JICENG_ALLOWED_HOSTS="jiceng.lingling.gov.cn")
    assert s["secure_cookie"] and s["csrf_secure"] and s["hsts"] == 31536000
    assert s["session_age"] == 600 and s["csp_ro"] and not s["csp"] and s["hosts"] == ["jiceng.lingling.gov.cn"]


def test_an_existing_world_readable_data_dir_is_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "jiceng.sqlite3").write_bytes(b"")
    os.chmod(data / "jiceng.sqlite3", 0o644)
    s = _settings_in_a_fresh_process(tmp_path)
    assert (s["data_dir"], s["sqlite"]) == ("0o700", "0o600")

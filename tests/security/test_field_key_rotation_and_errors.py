"""Field keys: rotation re-encrypts and re-indexes everything; a wrong or missing key is a clear answer, never a 500."""

from __future__ import annotations

import json
import shutil

import pytest
from django.core.management import call_command
from django.db import connection

from jiceng import sealed
from jiceng.cases.models import Case
from jiceng.cases.verify import iter_problems
from jiceng.triage.callers import frequent_callers
from jiceng.triage.models import CaseKey
from tests.api.helpers import client_for, key_client, post_json
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db

PHONE, ID_NUMBER = "13698765432", "11010519491231002X"


@pytest.fixture
def keyfile(settings, tmp_path):
    settings.FIELD_KEY_PATH = tmp_path / "field-keys.json"
    return settings.FIELD_KEY_PATH


def _stored(case: Case) -> tuple[str, str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT reporter_phone, reporter_id_number, reporter_phone_index FROM cases_case WHERE id = %s", [case.pk])
        return cur.fetchone()


def _cases(world, n=3):
    return [submit(world, reporter_phone=PHONE, reporter_id_number=ID_NUMBER, title=f"第{i}次反映", description="同一问题")
            for i in range(n)]


def test_rotation_reencrypts_reindexes_and_retires(world, keyfile, capsys):
    cases = _cases(world)
    old = sealed.keyring().current.id
    assert all(sealed.key_id_of(_stored(c)[0]) == old for c in cases)
    call_command("rotate_keys")
    new = sealed.keyring().current.id
    assert new != old
    for c in cases:
        phone, id_number, index = _stored(c)
        assert sealed.key_id_of(phone) == sealed.key_id_of(id_number) == new and index.startswith(new + ":")
        fresh = Case.objects.get(pk=c.pk)
        assert (fresh.reporter_phone, fresh.reporter_id_number) == (PHONE, ID_NUMBER)
        assert CaseKey.objects.get(case=c).phone_hash == index  # triage's copy follows
    assert "重新加密 3 行" in capsys.readouterr().out
    assert list(iter_problems()) == []  # the chains still verify: they digest the plaintext
    assert [r.count for r in frequent_callers(world.users["leader"], min_cases=2, period_days=30)] == [3, 3]
    assert set(json.loads(keyfile.read_text())["keys"][i]["id"] for i in range(2)) == {old, new}
    call_command("rotate_keys", "--retire")
    ring = sealed.keyring()
    assert set(ring.keys) == {ring.current.id} and old not in ring.keys
    call_command("rotate_keys", "--check")
    assert "全部可解密" in capsys.readouterr().out


def test_a_second_run_after_an_interrupted_rotation_finishes_it(world, keyfile):
    cases = _cases(world, 2)
    sealed.add_key()  # the new key is current, but no row was rewritten yet (as if the process died)
    assert Case.objects.get(pk=cases[0].pk).reporter_phone == PHONE  # still readable with the old key
    assert sealed.reseal_all() == 2 and sealed.reseal_all() == 0


def _break_keys(keyfile, tmp_path) -> None:
    """Another instance's key file in place of ours (the data's key is missing)."""
    shutil.move(keyfile, tmp_path / "ours.json")
    sealed.keyring()  # makes a fresh, unrelated ring at the configured path


def test_a_wrong_key_file_shows_a_marker_not_a_500(world, keyfile, tmp_path):
    case = _cases(world, 1)[0]
    _break_keys(keyfile, tmp_path)
    staff = village_staff(world, case.area_id)
    page = client_for(staff).get(f"/cases/{case.number}/")
    assert page.status_code == 200 and "无法解密" in page.content.decode()
    api = client_for(world.users["leader"]).get(f"/api/v1/cases/{case.number}")
    assert api.status_code == 200, api.content
    # verify names the columns it can no longer read
    problems = list(iter_problems())
    assert {"case.reporter_phone", "case.reporter_id_number"} <= {c for p in problems for c in p.columns}
    with pytest.raises(SystemExit) as exit_:
        call_command("rotate_keys", "--check")
    assert exit_.value.code == 1
    # put our key file back: everything reads again
    shutil.move(tmp_path / "ours.json", keyfile)
    assert Case.objects.get(pk=case.pk).reporter_phone == PHONE and list(iter_problems()) == []


def test_an_unreadable_value_is_never_written_back(world, keyfile, tmp_path):
    case = _cases(world, 1)[0]
    _break_keys(keyfile, tmp_path)
    loaded = Case.objects.get(pk=case.pk)
    assert isinstance(loaded.reporter_phone, sealed.Unreadable)
    with pytest.raises(sealed.SealedKeyError, match="不能再写回"):
        loaded.save()


def test_an_unusable_key_file_is_a_503_naming_the_problem(world, keyfile):
    _cases(world, 1)
    keyfile.chmod(0o644)
    village = world.villages[-1]
    client, _ = key_client("hotline")
    r = post_json(client, "/api/v1/cases", {"category": "minsheng-road", "area": village.code, "title": "路灯不亮",
                                             "description": "村口路灯坏了", "reporter_name": "张三明", "reporter_phone": PHONE,
                                             "channel": "hotline"})
    assert r.status_code == 503 and r.json()["code"] == "field_key" and "chmod 600" in r.json()["message"]
    web = client_for(village_staff(world, village.code))
    page = web.post("/cases/new/", {"category": "minsheng-road", "area": village.code, "title": "水渠堵塞", "description": "水渠被堵",
                                    "reporter_name": "张三明", "reporter_phone": PHONE})
    # the web form keeps what was typed and says what is wrong (as for any domain error)
    assert page.status_code in (400, 503) and "chmod 600" in page.content.decode() and "水渠被堵" in page.content.decode()
    assert Case.objects.count() == 1  # nothing partly written


def test_a_rewritten_ciphertext_is_named_by_verify(world, keyfile):
    case = _cases(world, 1)[0]
    other = submit(world, reporter_phone="13900000000", title="另一件事")
    assert list(iter_problems()) == []
    phone, _id, _ix = _stored(case)
    body = phone.rsplit(":", 1)[1]
    flipped = phone[: -len(body)] + ("A" if body[5] != "A" else "B").join([body[:5], body[6:]])
    for bad in (flipped, _stored(other)[0], PHONE):  # a flipped byte, another case's phone, the plaintext itself
        with connection.cursor() as cur:
            cur.execute("UPDATE cases_case SET reporter_phone = %s WHERE id = %s", [bad, case.pk])
        problems = list(iter_problems())
        assert [(p.number, p.columns) for p in problems] == [(case.number, ("case.reporter_phone",))], bad
    with connection.cursor() as cur:
        cur.execute("UPDATE cases_case SET reporter_phone = %s WHERE id = %s", [phone, case.pk])
    assert list(iter_problems()) == []

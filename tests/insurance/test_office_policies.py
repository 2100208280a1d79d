"""An office adds its own policy: validated, versioned, never overwriting a year silently."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jiceng.cases.errors import InvalidInput, NotPermitted
from jiceng.insurance import services
from jiceng.insurance.calc import run_calc
from jiceng.insurance.models import OfficePolicy
from jiceng.insurance.policy import shipped_policies

pytestmark = pytest.mark.django_db

TEXT_2026 = shipped_policies()["example-hunan-2026"].read_text(encoding="utf-8")


def _county(name: str = "零陵区", premium: str = "400") -> str:
    """The 2026 example as 零陵区's own file (a different premium marks the version)."""
    return (TEXT_2026.replace('region = "431100"', 'region = "431102"')
            .replace("湖南省永州市城乡居民医疗保障三重制度", f"永州市{name}城乡居民医疗保障")
            .replace("premium = { value = 400,", f"premium = {{ value = {premium},"))


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("insurance", "policy", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_an_added_policy_is_chosen_for_its_region_and_year(world):
    row = services.do_add_policy(_county(), user=world.users["admin"], via="test")
    assert (row.region, row.version, row.effective_from) == ("431102000000", 1, dt.date(2026, 1, 1))
    bill = {"id": "1", "person": "p", "category": "dibao", "date": "2026-03-01", "hospital_level": "3",
            "total": "57000", "in_policy": "54000", "area": world.villages[0].code}
    run = run_calc(services.policy_catalog(), [bill])
    assert [u.id for u in run.used] == [row.policy_id]


def test_the_same_period_is_not_replaced_without_supersede(world):
    first = services.do_add_policy(_county(), user=world.users["admin"], via="test")
    with pytest.raises(InvalidInput) as info:
        services.do_add_policy(_county(premium="420"), user=world.users["admin"], via="test")
    assert info.value.field == "supersede"
    assert "该地区该期间已有政策" in info.value.message and "系统管理员" in info.value.message and "--supersede" in info.value.message
    assert OfficePolicy.objects.count() == 1 and OfficePolicy.objects.get().pk == first.pk


def test_supersede_keeps_the_old_version_readable_with_who_and_when(world):
    first = services.do_add_policy(_county(), user=world.users["admin"], via="test")
    second = services.do_add_policy(_county(premium="420"), user=world.users["admin"], via="test", supersede=True)
    first.refresh_from_db()
    assert second.version == 2 and first.superseded_by == second and first.superseded_at is not None
    assert "premium = { value = 400," in first.toml  # still readable, unchanged
    active = [e.id for e in services.policy_catalog() if e.origin == "office"]
    assert active == [second.policy_id]
    everything = {e.id: e.superseded for e in services.policy_catalog(include_superseded=True) if e.origin == "office"}
    assert everything == {first.policy_id: True, second.policy_id: False}


def test_the_same_file_twice_is_refused_and_only_admins_add(world):
    services.do_add_policy(_county(), user=None, via="test")
    with pytest.raises(InvalidInput, match="已保存"):
        services.do_add_policy(_county(), user=None, via="test", supersede=True)
    with pytest.raises(NotPermitted):
        services.do_add_policy(_county(premium="420"), user=world.users["county-civil_affairs"], via="test", supersede=True)


def test_a_bad_file_is_refused_naming_the_key_and_nothing_is_saved(world):
    with pytest.raises(InvalidInput) as info:
        services.do_add_policy(_county().replace("ratio = 0.60\n", "ratio = 1.60\n"), user=None, via="test")
    assert info.value.field == "policy_file" and info.value.message.startswith("basic.levels.3.ratio：")
    assert not OfficePolicy.objects.exists()


def test_the_command_line_adds_lists_and_shows(world, tmp_path):
    path = tmp_path / "lingling-2026.toml"
    path.write_text(_county(), encoding="utf-8")
    out = _cli("add", str(path), "--note", "零府发〔2026〕1号")
    row = OfficePolicy.objects.get()
    assert f"已保存 {row.policy_id}：永州市零陵区城乡居民医疗保障（2026 年度，示例）（第 1 版），431102 · 2026-01-01 至 2026-12-31" in out
    with pytest.raises(CommandError, match="已保存为"):
        _cli("add", str(path))  # the same file again
    path.write_text(_county(premium="420"), encoding="utf-8")
    with pytest.raises(CommandError, match="该地区该期间已有政策"):
        _cli("add", str(path))
    out = _cli("add", str(path), "--supersede")
    assert f"取代 {row.policy_id}" in out
    listing = _cli("list")
    assert "example-hunan-2022\t431100 · 2022-01-01 至 2022-12-31" in listing and row.policy_id not in listing
    assert row.policy_id in _cli("list", "--all") and "已被取代" in _cli("list", "--all")
    assert "premium = { value = 400," in _cli("show", row.policy_id)


def test_the_admin_uploads_a_file_and_shows_problems_on_the_form(world, client):
    client.force_login(world.users["admin"])
    url = "/admin/insurance/officepolicy/add/"
    assert client.get(url).status_code == 200
    wrong = _county().replace('region = "431102"', 'region = "4311"').encode()
    bad = client.post(url, {"policy_file": SimpleUploadedFile("p.toml", wrong)})
    assert bad.status_code == 200 and "meta.region：区划代码应为6位行政区划代码" in bad.content.decode()
    assert not OfficePolicy.objects.exists()
    good = client.post(url, {"policy_file": SimpleUploadedFile("p.toml", _county().encode()), "note": "文号"})
    assert good.status_code == 302 and OfficePolicy.objects.count() == 1
    again = client.post(url, {"policy_file": SimpleUploadedFile("p.toml", _county(premium="420").encode())})
    assert again.status_code == 200 and "替换现有版本" in again.content.decode() and OfficePolicy.objects.count() == 1
    row = OfficePolicy.objects.get()
    assert client.get(f"/admin/insurance/officepolicy/{row.pk}/change/").status_code == 200  # readable, not editable


def test_non_admin_staff_cannot_reach_the_upload(world, client):
    user = world.users["county-civil_affairs"]
    client.force_login(user)
    assert client.get("/admin/insurance/officepolicy/add/").status_code in (302, 403)

"""应保尽保 and the subsidy read the registry's people and tags (who was 低保 on the day) in the viewer's scope,
through the web form, the REST API and the command line; an outside list still counts for people the registry
does not hold; registry people are masked without a need and every person shown in full is logged."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from jiceng.accounts.models import PersonalDataAccess
from jiceng.insurance import registry
from jiceng.people.actions import do_set_tag
from jiceng.people.models import TagKind

from tests.api.helpers import client_for
from tests.people.helpers import new_id, register

DAY = dt.date(2026, 3, 1)


def _xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.fixture
def county(world, tmp_path):
    """In one village: 低保 (insured), 特困 (not insured), a 低保 tag ended before the day, an untagged person;
    a 低保 person of another village; an insured roster and an outside list with one registered and one outside person."""
    village, other = world.villages[-1], world.villages[0]
    staff = world.users[f"cun-{village.code}"]
    dibao, tekun = TagKind.objects.get(code="dibao"), TagKind.objects.get(code="tekun")
    insured = register(world, village=village, name="甲低保")
    missing = register(world, village=village, name="乙特困")
    ended = register(world, village=village, name="丙已退出")
    plain = register(world, village=village, name="丁普通")
    far = register(world, village=other, user=world.users[f"cun-{other.code}"], name="戊外村")
    do_set_tag(staff, insured, dibao, valid_from=dt.date(2025, 1, 1))
    do_set_tag(staff, missing, tekun, valid_from=dt.date(2025, 6, 1))
    do_set_tag(staff, missing, dibao, valid_from=dt.date(2025, 6, 1))  # counted once, as 特困
    do_set_tag(staff, ended, dibao, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2026, 2, 1))
    do_set_tag(world.users[f"cun-{other.code}"], far, dibao, valid_from=dt.date(2025, 1, 1))
    outsider = new_id()
    roster = _xlsx(tmp_path / "roster.xlsx", [["姓名", "身份证号码"], ["甲低保", insured.id_number]])
    listed = _xlsx(tmp_path / "list.xlsx", [
        ["身份证号码", "姓名", "人员类别", "村（社区）代码"],
        [plain.id_number, "丁普通", "低保", village.code],  # the registry holds 丁 without a tag on the day: not vulnerable
        [outsider, "己外来", "低保", village.code],  # outside the registry: checked as listed
    ])
    return {"village": village, "staff": staff, "missing": missing, "outsider": outsider, "roster": roster, "list": listed,
            "plain": plain, "far": far}


def test_the_domain_reads_who_held_a_tag_on_the_day_in_scope(world, county):
    people = registry.registered_categories(county["staff"], DAY)
    assert {(r.person.name, r.category) for r in people} == {("甲低保", "dibao"), ("乙特困", "tekun")}
    assert {r.person.name for r in registry.registered_categories(county["staff"], dt.date(2026, 1, 15))} == {
        "甲低保", "乙特困", "丙已退出"}


def test_the_web_form_checks_the_registry_and_the_outside_list(world, county):
    staff = county["staff"]
    client = client_for(staff)
    with open(county["roster"], "rb") as roster, open(county["list"], "rb") as listed:
        response = client.post("/insurance/roster-check/", {"roster": roster, "vulnerable": listed, "use_registry": "on",
                                                            "on": DAY.isoformat()})
    assert response.status_code == 200
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.content))["未参保人员"].iter_rows(min_row=2)]
    assert [(r[2], r[3], r[5]) for r in rows] == [("乙特困", county["missing"].id_number, "人员登记库"),
                                                   ("己外来", county["outsider"], 3)]
    assert PersonalDataAccess.objects.filter(user=staff, person=county["missing"], purpose=registry.REVEAL_PURPOSE).count() == 1


def test_the_web_form_without_a_list_needs_the_registry_and_refuses_a_bad_date(world, county):
    client = client_for(county["staff"])
    with open(county["roster"], "rb") as roster:
        response = client.post("/insurance/roster-check/", {"roster": roster})
    assert response.status_code == 400
    with open(county["roster"], "rb") as roster:
        response = client.post("/insurance/roster-check/", {"roster": roster, "use_registry": "on", "on": "2026-13-01"})
    assert response.status_code == 400 and "不是有效日期" in response.content.decode()


def test_rest_masks_registry_people_for_an_auditor_and_logs_nothing(world, county):
    auditor = world.users["auditor"]
    with open(county["roster"], "rb") as roster:
        body = client_for(auditor).post("/api/v1/insurance/roster-check", {"roster": roster, "on": DAY.isoformat()}).json()
    people = [p for v in body["villages"] for p in v["missing"]]
    missing = next(p for p in people if p["source"] == "registry" and p["category"] == "tekun")
    assert missing["id_number"] != county["missing"].id_number and "*" in missing["id_number"] and missing["row"] == 0
    assert not PersonalDataAccess.objects.filter(user=auditor).exists()


def test_rest_for_the_village_shows_in_full_and_counts_the_checked(world, county):
    staff = county["staff"]
    with open(county["roster"], "rb") as roster, open(county["list"], "rb") as listed:
        body = client_for(staff).post("/api/v1/insurance/roster-check",
                                      {"roster": roster, "vulnerable": listed, "on": DAY.isoformat()}).json()
    assert body["checked"] == 3 and body["missing"] == 2  # 甲, 乙 from the registry; 己 from the list; 丁 left to the registry
    people = {p["name"]: p for v in body["villages"] for p in v["missing"]}
    assert people["乙特困"]["id_number"] == county["missing"].id_number and people["乙特困"]["source"] == "registry"
    assert people["己外来"]["source"] == "list"


def test_the_command_line_reads_the_registry_as_a_user(world, county):
    out = io.StringIO()
    call_command("insurance", "roster-check", "--roster", str(county["roster"]), "--registry", "--as", county["staff"].username,
                 "--on", DAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "人员登记库 乙特困" in text and county["missing"].id_number in text and "戊外村" not in text
    with pytest.raises(CommandError, match="--as"):
        call_command("insurance", "roster-check", "--roster", str(county["roster"]), "--registry")


def test_the_subsidy_counts_the_registry_by_its_tags(world, county):
    staff = county["staff"]
    body = client_for(staff).post("/api/v1/insurance/subsidy", {"policy_id": "example-hunan-2022", "on": DAY.isoformat()},
                                  content_type="application/json").json()
    assert body["people"] == 4 and body["from_registry"] == 4  # 甲 低保, 乙 特困, 丙 and 丁 ordinary on the day
    cats = {c["category"]: c["people"] for a in body["areas"] for c in a["by_category"]}
    assert cats == {"dibao": 1, "tekun": 1, "ordinary": 2}
    listed = {"policy_id": "example-hunan-2022", "on": DAY.isoformat(), "people": [
        {"id_number": county["plain"].id_number, "village_code": "431102101201", "category": "低保"},
        {"village_code": county["village"].code, "category": "低保"}]}
    body = client_for(staff).post("/api/v1/insurance/subsidy", listed, content_type="application/json").json()
    cats = {c["category"]: c["people"] for a in body["areas"] for c in a["by_category"]}
    assert body["from_registry"] == 1 and cats == {"ordinary": 1, "dibao": 1}
    page = client_for(staff).post("/insurance/subsidy/", {"policy": "example-hunan-2022", "use_registry": "on", "on": DAY.isoformat()})
    assert page.status_code == 200 and "4" in page.content.decode()
    out = io.StringIO()
    call_command("insurance", "subsidy", "--policy", "example-hunan-2022", "--registry", "--as", staff.username,
                 "--on", DAY.isoformat(), stdout=out)
    assert "共 4 人" in out.getvalue()

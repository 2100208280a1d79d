"""`jiceng insurance calc|batch|subsidy` end to end, with files in tmp_path."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.insurance.helpers import SIMPLE_TOML

GOOD = {"id": "b1", "person": "p1", "category": "dibao", "date": "2022-03-01", "hospital_level": "3",
        "total": "57000", "in_policy": "54000"}
SECOND = {"id": "b3", "person": "p1", "category": "dibao", "date": "2022-05-01", "hospital_level": "2",
          "total": "20000", "in_policy": "20000"}
BAD = {"id": "b2", "person": "p2", "category": "vip", "date": "2022-03-01", "hospital_level": "4",
       "total": "100", "in_policy": "200"}


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("insurance", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _bills(tmp_path: Path, bills: list[dict]) -> str:
    path = tmp_path / "bills.json"
    path.write_text(json.dumps(bills, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_it_computes_the_worked_example_to_a_file(tmp_path):
    out_file = tmp_path / "out.json"
    stdout, stderr = _run("calc", "--policy", "example-hunan-2022", "--bills", _bills(tmp_path, [GOOD, SECOND]),
                          "--out", str(out_file))
    results = json.loads(out_file.read_text(encoding="utf-8"))
    first, second = results
    assert first["id"] == "b1"
    # docs/medical-protection.md §3.1 and §3.2
    assert (first["basic"], first["critical"], first["assistance"], first["self_pay"]) == ("31800.00", "10205.00", "7486.50", "7508.50")
    assert first["reimbursed_ratio"] == "0.8683"
    assert (second["critical"], second["assistance"], second["self_pay"]) == ("4127.50", "1555.75", "666.75")
    assert first["steps"][0]["text"].startswith("基本医保：")
    assert "已计算 2 张账单" in stdout and stderr == ""


def test_it_writes_json_to_stdout_without_out(tmp_path):
    stdout, _ = _run("calc", "--policy", "example-hunan-2022", "--bills", _bills(tmp_path, [GOOD]))
    assert json.loads(stdout)[0]["self_pay"] == "7508.50"


def test_bad_bills_are_reported_by_id_and_good_ones_still_computed(tmp_path):
    out_file = tmp_path / "out.json"
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("insurance", "calc", "--policy", "example-hunan-2022", "--bills", _bills(tmp_path, [GOOD, BAD, SECOND]),
                     "--out", str(out_file), stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 3
    results = json.loads(out_file.read_text(encoding="utf-8"))
    assert [r["id"] for r in results] == ["b1", "b2", "b3"]
    assert results[1] == {"index": 1, "id": "b2", "error": results[1]["error"]}
    assert "未知的人员类别：vip" in results[1]["error"] and "未知的医院等级" in results[1]["error"]
    assert results[2]["self_pay"] == "666.75"  # p1's year is unaffected by p2's bad bill
    assert "未计算：第 2 行（账单 b2） 人员类别：未知的人员类别：vip" in err.getvalue()
    assert "category" not in err.getvalue() and "hospital_level" not in err.getvalue()


def test_a_policy_file_with_a_mistake_is_refused_naming_the_key(tmp_path):
    policy = tmp_path / "bad.toml"
    policy.write_text(SIMPLE_TOML.replace("ratio = 0.9", "ratio = 1.9"), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        _run("calc", "--policy", str(policy), "--bills", _bills(tmp_path, [GOOD]))
    assert caught.value.returncode == 1
    assert "basic.levels.1.ratio" in str(caught.value)


def test_a_bills_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "bills.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        _run("calc", "--policy", "example-hunan-2022", "--bills", str(path))


def test_an_unknown_policy_names_the_shipped_ones(tmp_path):
    with pytest.raises(CommandError, match="example-hunan-2022"):
        _run("calc", "--policy", "nowhere-2030", "--bills", _bills(tmp_path, [GOOD]))


def test_batch_reads_csv_and_gives_the_scalar_amounts_and_totals(tmp_path):
    path = tmp_path / "county.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*GOOD, "area", "groups"])
        writer.writeheader()
        writer.writerow({**GOOD, "area": "431102101201", "groups": ""})
        writer.writerow({**SECOND, "area": "431102101201", "groups": ""})
        writer.writerow({"id": "c1", "person": "p9", "category": "ordinary", "date": "2022-06-01", "hospital_level": "3",
                         "total": "30000", "in_policy": "30000", "area": "431102101202", "groups": "pneumoconiosis"})
    out_file = tmp_path / "out.json"
    stdout, _ = _run("batch", "--policy", "example-hunan-2022", "--bills", str(path), "--out", str(out_file))
    document = json.loads(out_file.read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in document["bills"]}
    assert rows["b1"]["self_pay"] == "7508.50" and rows["b3"]["self_pay"] == "666.75"
    # docs §3.4: the pneumoconiosis worker pays 4,850.00 after 4,850.00 special aid
    assert rows["c1"]["special_aid"] == "4850.00" and rows["c1"]["self_pay"] == "4850.00"
    assert document["totals"]["self_pay"] == "13025.25"  # 7508.50 + 666.75 + 4850.00
    by_area = {a["area"]: a for a in document["by_area"]}
    assert by_area["431102101201"]["self_pay"] == "8175.25" and by_area["431102101202"]["bills"] == 1
    assert "个人自付 13025.25 元" in stdout


def test_batch_writes_csv_and_reports_bad_rows(tmp_path):
    out_file = tmp_path / "out.csv"
    with pytest.raises(CommandError) as caught:
        _run("batch", "--policy", "example-hunan-2022", "--bills", _bills(tmp_path, [GOOD, BAD]), "--out", str(out_file))
    assert caught.value.returncode == 3
    rows = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["b1"] and rows[0]["reimbursed_ratio"] == "0.8683"


def test_subsidy_by_person_and_area(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("村（社区）代码,人员类别,姓名\n431102101201,特困,甲\n431102101201,低保,乙\n431102101202,普通,丙\n4311,低保,丁\n",
                      encoding="utf-8")
    out_file = tmp_path / "subsidy.json"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("insurance", "subsidy", "--policy", "example-hunan-2022", "--people", str(people), "--out", str(out_file),
                     stdout=out, stderr=err)
    assert caught.value.returncode == 3
    # premium 320: tekun 100% = 320.00, dibao 50% = 160.00, ordinary 0
    rows = json.loads(out_file.read_text(encoding="utf-8"))
    assert [(r["row"], r["subsidy"]) for r in rows] == [(2, "320.00"), (3, "160.00"), (4, "0.00")]
    assert "431102101201：2 人，受资助 2 人，480.00 元" in out.getvalue()
    assert "第 5 行 A（村（社区）代码） 列：应为12位数字（如 431102101201）" in err.getvalue()

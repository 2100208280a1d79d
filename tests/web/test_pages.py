"""The web UI drives the same loop, in Chinese first, and hides what is not yours."""

from __future__ import annotations

import pytest

from jiceng.cases.models import Case
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def test_login_is_required(client):
    assert client.get("/cases/").status_code == 302


def test_the_ui_speaks_chinese_even_to_an_english_browser(world, client):
    client.force_login(world.users["leader"])
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "我的待办" in page and "总览" in page and "My work" not in page and "Overview" not in page


def test_english_is_one_switch_away(world, client):
    client.force_login(world.users["leader"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "My work" in client.get("/").content.decode()


def test_a_grid_worker_submits_and_village_staff_run_the_loop(world, client):
    village = world.villages[-1]
    client.force_login(world.users[f"grid-{village.code}001"])
    response = client.post("/cases/new/", {"category": "yinhuan-fire", "area": village.code, "title": "楼道电动车充电", "description": "三楼楼道飞线充电",
                                           "reporter_name": "王建国", "channel": "patrol", "fields.hazard_level": "一般", "fields.rectify_by": "2026-12-30",
                                           "idempotency_key": "k1"})
    case = Case.objects.get(title="楼道电动车充电")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/receipt/"  # the receipt comes first
    client.force_login(village_staff(world, village.code))
    client.post(f"/cases/{case.number}/act/accept/", {"plan": "当天清理", "version": case.version})
    client.post(f"/cases/{case.number}/act/dispatch/", {})
    case.refresh_from_db()
    assert case.state == "dispatched"
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "签收" in page and "派单" in page


def test_a_bad_submission_says_what_is_wrong_and_saves_nothing(world, client):
    village = world.villages[-1]
    client.force_login(village_staff(world, village.code))
    response = client.post("/cases/new/", {"category": "yinhuan-fire", "area": village.code, "title": "隐患", "description": "内容", "reporter_name": "王"})
    assert response.status_code == 400
    assert "请填写隐患等级" in response.content.decode()
    assert not Case.objects.exists()


def test_a_stale_form_gets_a_conflict_message(world, client):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    client.force_login(staff)
    client.post(f"/cases/{case.number}/act/accept/", {"plan": "方案", "version": case.version})
    response = client.post(f"/cases/{case.number}/act/refuse/", {"note": "理由", "version": case.version}, follow=True)
    assert "已被他人更新" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "accepted"


def test_other_villages_cases_are_not_found(world, client):
    case = submit(world, village=world.villages[0])
    client.force_login(village_staff(world, world.villages[-1].code))
    assert client.get(f"/cases/{case.number}/").status_code == 404
    assert client.post(f"/cases/{case.number}/act/accept/", {"plan": "越权"}).status_code == 404


def test_the_public_tracking_page_shows_no_personal_data(world, client):
    case = submit(world)
    page = client.get(f"/track/?number={case.number}").content.decode()
    assert case.number in page and "待受理" in page
    assert "张三明" not in page and "13812345678" not in page

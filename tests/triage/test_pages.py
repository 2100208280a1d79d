"""The triage panel on the case page, linking a repeat, merging, and suggestions on the new-case form."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case
from jiceng.triage.alerts import do_submit_alert

from .helpers import register_devices
from jiceng.triage.models import CaseLink
from tests.cases.helpers import handling_case, submit, village_staff

pytestmark = pytest.mark.django_db


def _pair(world):
    first = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000001")
    new = submit(world, title="村口路灯还是不亮", description="村口路灯坏了一周没人修", reporter_phone="13900000001")
    return first, new


def test_the_case_page_loads_the_triage_panel(world, client):
    _first, new = _pair(world)
    client.force_login(village_staff(world, new.area_id))
    page = client.get(f"/cases/{new.number}/").content.decode()
    assert f'hx-get="/triage/cases/{new.number}/panel/"' in page


def test_the_panel_shows_candidates_with_scores_and_reasons(world, client):
    first, new = _pair(world)
    client.force_login(village_staff(world, new.area_id))
    panel = client.get(f"/triage/cases/{new.number}/panel/").content.decode()
    assert first.number in panel and "%" in panel
    assert "same phone number" in panel or "同一电话号码" in panel  # English until the lead translates the msgid
    assert f'action="/triage/cases/{new.number}/link/"' in panel and f'action="/cases/{new.number}/act/merge/"' in panel


def test_residents_and_outsiders_see_no_candidates(world, client):
    _first, new = _pair(world)
    client.force_login(world.users["auditor"])
    panel = client.get(f"/triage/cases/{new.number}/panel/").content.decode()
    assert "repeat-candidates" not in panel
    village = world.villages[-1]
    other_township = next(t for t in world.townships if not village.code.startswith(t.code[:9]))
    client.force_login(world.users[f"tz-{other_township.code[6:9]}"])
    assert client.get(f"/triage/cases/{new.number}/panel/").status_code == 404


def test_linking_a_repeat_records_who_and_when(world, client):
    first, new = _pair(world)
    staff = village_staff(world, new.area_id)
    client.force_login(staff)
    response = client.post(f"/triage/cases/{new.number}/link/", {"original": first.number, "score": "0.8"})
    assert response.status_code == 302
    link = CaseLink.objects.get()
    assert (link.case_id, link.original_id, link.created_by_id, link.score) == (new.pk, first.pk, staff.pk, 0.8)
    panel = client.get(f"/triage/cases/{new.number}/panel/").content.decode()
    assert "case-links" in panel and first.number in panel
    client.post(f"/triage/cases/{new.number}/link/", {"original": first.number})
    assert CaseLink.objects.count() == 1, "linking twice is refused"


def test_a_link_is_a_note_in_the_history_when_the_case_is_being_handled(world):
    from jiceng.triage.repeats import do_link_repeat

    first = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000001")
    new = handling_case(world, title="村口路灯还是不亮", description="村口路灯坏了", reporter_phone="13900000001")
    staff = village_staff(world, new.area_id)
    do_link_repeat(new, first, staff)
    note = new.events.order_by("-seq").first()
    assert note.action == "note" and first.number in note.note and note.actor_id == staff.pk


def test_a_link_at_intake_is_a_note_by_the_dispatcher(world):
    from jiceng.triage.repeats import do_link_repeat

    first, new = _pair(world)  # both still submitted: nobody handles them yet
    staff = village_staff(world, new.area_id)
    do_link_repeat(new, first, staff)
    note = new.events.order_by("-seq").first()
    assert note.action == "note" and first.number in note.note and note.to_state == "submitted"


def test_a_grid_worker_may_not_link(world):
    from jiceng.cases.errors import NotPermitted
    from jiceng.cases.scope import record_cases_scope
    from jiceng.triage.repeats import do_link_repeat

    first, new = _pair(world)
    grid_worker = world.users[f"grid-{world.villages[-1].code}001"]
    grid_worker.units.clear()
    new.created_by = grid_worker
    new.save(update_fields=["created_by"])
    first.created_by = grid_worker
    first.save(update_fields=["created_by"])
    record_cases_scope([new, first])  # who filed a case is scope (the event writer records it when a case is filed)
    with pytest.raises(NotPermitted):
        do_link_repeat(new, first, grid_worker)
    assert not CaseLink.objects.exists()


def test_merging_from_the_panel_uses_the_case_action(world, client):
    first, new = _pair(world)
    client.force_login(village_staff(world, new.area_id))
    client.post(f"/cases/{new.number}/act/merge/", {"into": first.number, "version": new.version})
    new.refresh_from_db()
    assert new.state == "merged" and new.merged_into == first.number


def test_the_panel_shows_the_alert_count(world, client, settings):
    settings.ALERT_RECORD_SECONDS = 0  # every alert recorded in the chain at once: the panel shows the recorded count
    village = world.villages[-1]
    register_devices(world, "SW-7", village=village)
    at = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(second=0, microsecond=0)
    for minute in (0, 1, 2):
        outcome = do_submit_alert(user=world.users["admin"], category="yujing-flood", area_code=village.code, device_id="SW-7", alert_type="水位超警",
                                  title="水位超警预警", description="监测点水位超警", at=at + timedelta(minutes=minute))
    client.force_login(world.users["leader"])
    panel = client.get(f"/triage/cases/{outcome.case.number}/panel/").content.decode()
    assert "alert-series" in panel and "SW-7" in panel and ">3 " in panel


def test_the_new_case_form_suggests_routing_as_one_types(world, client):
    village = world.villages[-1]
    client.force_login(village_staff(world, village.code))
    form = client.get("/cases/new/").content.decode()
    assert 'hx-get="/triage/suggest/"' in form
    partial = client.get("/triage/suggest/", {"title": "", "description": "楼道里电动车飞线充电", "area": village.code}).content.decode()
    assert "yinhuan-fire" in partial and "%" in partial
    assert client.get("/triage/suggest/", {"description": "好"}).content.decode().strip() == ""


def test_the_dispatcher_sees_routing_suggestions_on_a_new_case(world, client):
    case = submit(world, category="yinhuan-fire", title="电动车充电", description="楼道内电动车飞线充电，有火灾隐患",
                  fields={"hazard_level": "一般", "rectify_by": "2026-12-30"})
    client.force_login(village_staff(world, case.area_id))
    panel = client.get(f"/triage/cases/{case.number}/panel/").content.decode()
    assert "routing-suggestions" in panel and "消防安全" in panel
    assert Case.objects.get(pk=case.pk).category.code == "yinhuan-fire"  # suggestions change nothing
    do_case_action(case, "accept", village_staff(world, case.area_id), {"plan": "当天清理"})


def test_the_new_case_form_says_cannot_tell_and_names_a_second_matter(world, client):
    village = world.villages[-1]
    client.force_login(village_staff(world, village.code))
    unsure = client.get("/triage/suggest/", {"description": "网上买的鞋子开胶了商家不理", "area": village.code}).content.decode()
    assert 'data-undecided="1"' in unsure and "无法判断" in unsure
    two = client.get("/triage/suggest/", {"description": "我们村那条路坑坑洼洼的一直没人修，另外村口的垃圾堆了半个月没人清运，臭气熏天",
                                          "area": village.code}).content.decode()
    assert 'data-multi="1"' in two and 'data-second="1"' in two and "undecided" not in two

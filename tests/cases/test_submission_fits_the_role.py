"""What each role may set when raising a matter, decided in cases/submission.py and refused the same way by web and REST."""

from __future__ import annotations

import pytest

from jiceng.cases.models import Case
from jiceng.cases.submission import submission_form, submit_categories
from tests.api.helpers import client_for, post_json

pytestmark = pytest.mark.django_db

BODY = {"category": "minsheng-road", "title": "路灯不亮", "description": "村口路灯坏了"}


def _submit(adapter: str, user, village, **extra):
    if adapter == "web":
        return client_for(user).post("/cases/new/", {**BODY, "area": village.code, **extra})
    return post_json(client_for(user), "/api/v1/cases", {**BODY, "area": village.code, **extra})


@pytest.mark.parametrize("adapter", ["web", "rest"])
@pytest.mark.parametrize("extra, field", [({"channel": "hotline"}, "channel"), ({"reporter_id_number": "11010519491231002X"}, "reporter_id_number"),
                                          ({"category": "yujing-campus", "fields.alert_type": "攀爬", "fields.school": "一中"}, "category")])
def test_a_resident_cannot_set_what_staff_record(world, adapter, extra, field):
    resident = world.users["resident-1"]
    if adapter == "rest" and "fields.alert_type" in extra:
        extra = {"category": "yujing-campus", "fields": {"alert_type": "攀爬", "school": "一中"}}
    r = _submit(adapter, resident, world.villages[0], **extra)
    if adapter == "web" and field in ("channel", "reporter_id_number"):
        # the resident's form has no such input: the web ignores it and files a plain web report
        assert r.status_code == 302
        case = Case.objects.get()
        assert case.channel == "web" and case.reporter_id_number == "" and case.reporter_id == resident.pk
        return
    assert r.status_code in (400, 403)
    if adapter == "rest":
        assert r.json()["field"] == field
    assert not Case.objects.exists()


def test_staff_may_record_a_call_with_the_callers_details(world):
    village = world.villages[0]
    staff = world.users[f"cun-{village.code}"]
    r = _submit("rest", staff, village, channel="hotline", reporter_name="张三明", reporter_phone="13812345678")
    assert r.status_code == 201 and Case.objects.get().channel == "hotline"


def test_the_forms_differ_by_role(world):
    village = world.villages[-1]
    resident, worker, staff = world.users["resident-1"], world.users[f"grid-{village.code}001"], world.users[f"cun-{village.code}"]
    r = submission_form(resident)
    assert (r.channels, r.records_for_others, r.reporter_name) == ([], False, resident.display_name)
    w = submission_form(worker)
    assert w.channel == "patrol" and w.grid_id is not None and w.area_code == village.code and w.reporter_name == worker.display_name
    s = submission_form(staff)
    assert s.channel == "hotline" and s.records_for_others and s.reporter_name == ""
    assert all(c not in dict(s.channels) for c in ("sensor", "api"))
    assert not any(c.code.startswith("yujing") for c in submit_categories(staff))
    assert any(c.code.startswith("yujing") for c in submit_categories(world.users["admin"]))


def test_a_failed_web_submission_names_the_category_field_by_its_label(world):
    village = world.villages[-1]
    staff = world.users[f"cun-{village.code}"]
    r = client_for(staff).post("/cases/new/", {"category": "yinhuan-fire", "area": village.code, "title": "楼道充电", "description": "飞线充电",
                                               "reporter_name": "王", "fields.hazard_level": "一般", "grid": ""})
    page = r.content.decode()
    assert r.status_code == 400 and "<b>整改期限</b>" in page and "fields.rectify_by" not in page.split('id="form-error"')[1][:200]
    assert 'value="楼道充电"' in page and "<option selected>一般</option>" in page

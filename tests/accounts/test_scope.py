"""The scoped query layer: each role sees its own cases and no others."""

from __future__ import annotations

import pytest

from jiceng.accounts.models import PersonalDataAccess
from jiceng.cases.access import needs_personal_data, visible_cases
from jiceng.cases.actions import do_case_action
from jiceng.people.masking import mask_id_number, mask_name, mask_phone
from tests.cases.helpers import handling_case, submit, village_staff

pytestmark = pytest.mark.django_db


def test_village_staff_see_their_village_only(world):
    mine = submit(world, village=world.villages[-1])
    other = submit(world, village=world.villages[0])
    seen = set(visible_cases(village_staff(world, world.villages[-1].code)).values_list("pk", flat=True))
    assert mine.pk in seen and other.pk not in seen


def test_township_staff_see_their_township_subtree(world):
    a = submit(world, village=world.villages[-1])
    b = submit(world, village=world.villages[0])
    tz = world.users[f"tz-{world.villages[-1].code[6:9]}"]
    seen = set(visible_cases(tz).values_list("pk", flat=True))
    assert a.pk in seen and (b.pk in seen) == (b.area_id[:9] == a.area_id[:9])


def test_a_county_department_sees_what_was_dispatched_to_it(world):
    case = handling_case(world)
    handler = world.users["county-transport"]
    assert not visible_cases(handler).filter(pk=case.pk).exists()
    do_case_action(case, "escalate", village_staff(world, case.area_id), {"note": "需协调"})
    case.refresh_from_db()
    tz = world.users[f"tz-{case.area_id[6:9]}"]
    do_case_action(case, "claim", tz, {})
    do_case_action(case, "escalate", tz, {"note": "需县交通局"})
    # it waits at the county's dispatch centre, which sends it on to the department
    assert not visible_cases(handler).filter(pk=case.pk).exists()
    assert visible_cases(world.users["county-centre"]).filter(pk=case.pk).exists()
    do_case_action(case, "dispatch", world.users["county-centre"], {})
    assert visible_cases(handler).filter(pk=case.pk).exists()


def test_a_resident_sees_only_their_own_cases(world):
    resident = world.users["resident-3"]
    own = submit(world, user=resident, reporter_name="")
    submit(world)
    assert list(visible_cases(resident).values_list("pk", flat=True)) == [own.pk]


def test_an_auditor_reads_everything_in_scope_but_never_sees_personal_data(world):
    case = submit(world)
    auditor = world.users["auditor"]
    assert visible_cases(auditor).filter(pk=case.pk).exists()
    assert not needs_personal_data(auditor, case)
    assert needs_personal_data(village_staff(world, case.area_id), case)


def test_masks_hide_the_middle():
    assert mask_name("张三明") == "张*明" and mask_name("欧阳建国") == "欧**国" and mask_name("李四") == "李*"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("43110219900101123X") == "4311**********123X"


def test_revealing_personal_data_on_the_case_page_is_logged(world, client):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    client.force_login(staff)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "13812345678" not in page and "138****5678" in page
    assert not PersonalDataAccess.objects.exists()
    page = client.get(f"/cases/{case.number}/?reveal=1").content.decode()
    assert "13812345678" in page
    assert PersonalDataAccess.objects.filter(user=staff, case=case).count() == 1

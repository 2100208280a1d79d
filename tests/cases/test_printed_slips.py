"""受理回执 and 办结单: through the access check, with the 查询码 only for those who may see it, a QR code and the chain head."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_case_action
from tests.api.helpers import client_for

from .helpers import handling_case, submit, village_staff

pytestmark = pytest.mark.django_db


def test_the_receipt_carries_number_code_qr_and_chain_head(world):
    case = submit(world)
    page = client_for(village_staff(world, case.area_id)).get(f"/cases/{case.number}/receipt/").content.decode()
    assert case.number in page and case.query_code in page and case.last_hash in page
    assert "data:image/svg+xml" in page and f"code={case.query_code}" in page
    assert "@page { size: A5" in page


def test_an_auditor_prints_without_the_query_code(world):
    case = submit(world)
    r = client_for(world.users["auditor"]).get(f"/cases/{case.number}/receipt/")
    assert r.status_code == 200 and case.query_code not in r.content.decode()


def test_someone_who_cannot_read_the_case_gets_404(world):
    case = submit(world)
    other = next(v for v in world.villages if v.code[:9] != case.area_id[:9])
    assert client_for(village_staff(world, other.code)).get(f"/cases/{case.number}/completion-slip/").status_code == 404


def test_the_completion_slip_shows_the_result_and_rating(world):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "resolve", staff, {"result": "已更换三盏路灯"})
    case = do_case_action(case, "rate", staff, {"rating": "satisfied"})
    page = client_for(staff).get(f"/cases/{case.number}/completion-slip/").content.decode()
    assert "已更换三盏路灯" in page and "满意" in page and case.last_hash in page and "@page { size: A4" in page
    detail = client_for(staff).get(f"/cases/{case.number}/").content.decode()
    assert f"/cases/{case.number}/completion-slip/" in detail and f"/cases/{case.number}/receipt/" in detail

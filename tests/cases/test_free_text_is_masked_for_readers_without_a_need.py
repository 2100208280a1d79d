"""Phones, ID numbers and the people named in a case's free text are masked for readers without a need — on every adapter."""

from __future__ import annotations

import json

import pytest

from jiceng.cases.actions import do_case_action
from tests.api.helpers import client_for

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db

def _text(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


SECRETS = ("13912345678", "431102199001011234", "王建国", "李秀英")


@pytest.fixture
def dispute(world):
    village = world.villages[-1]
    case = submit(world, category="jiufen-neighbour", village=village, reporter_name="王建国",
                  description="王建国与李秀英因宅基地争执，李秀英电话13912345678，身份证431102199001011234",
                  fields={"parties": ["王建国", "李秀英"]})
    staff = village_staff(world, village.code)
    case = do_case_action(case, "accept", staff, {"plan": "约王建国、李秀英到村部调解"})
    return do_case_action(case, "note", staff, {"note": "已电话13912345678联系李秀英"})


@pytest.mark.parametrize("adapter", ["web", "rest", "rest-events"])
def test_the_auditor_reads_the_dispute_without_the_people_in_it(world, dispute, adapter):
    auditor = client_for(world.users["auditor"])
    path = {"web": f"/cases/{dispute.number}/", "rest": f"/api/v1/cases/{dispute.number}",
            "rest-events": f"/api/v1/cases/{dispute.number}/events"}[adapter]
    body = _text(auditor.get(path))
    assert "宅基地" in body or adapter == "rest-events"
    for secret in SECRETS:
        assert secret not in body, (adapter, secret)


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_the_mediating_village_reads_it_as_written(world, dispute, adapter):
    staff = client_for(village_staff(world, dispute.area_id))
    path = {"web": f"/cases/{dispute.number}/", "rest": f"/api/v1/cases/{dispute.number}"}[adapter]
    body = _text(staff.get(path))
    assert "李秀英" in body and "13912345678" in body

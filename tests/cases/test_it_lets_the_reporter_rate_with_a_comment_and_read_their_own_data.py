"""The reporter rates their own case with a comment (web form and REST body built from workflow.PARAMS) and reads
their own name and phone unmasked on it (access.person_view), while others see them masked."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case
from tests.api.helpers import client_for, post_json

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(world):
    """A resident's own case, handled by the village and resolved, waiting for the resident's rating."""
    resident = world.users["resident-3"]
    case = submit(world, user=resident, reporter_name="赵春华", reporter_phone="13912345678", title="门口水管漏水",
                  category="minsheng-utilities")
    staff = village_staff(world, case.area_id)
    for action, params in (("accept", {"plan": "两天内修复"}), ("dispatch", {}), ("claim", {}), ("resolve", {"result": "已更换水管接头"})):
        case = do_case_action(case, action, staff, params)
    return case


def test_the_rating_form_offers_a_comment(world, resolved):
    page = client_for(world.users["resident-3"]).get(f"/cases/{resolved.number}/").content.decode()
    form = page[page.index(f'action="/cases/{resolved.number}/act/rate/"'):]
    form = form[:form.index("</form>")]
    assert 'name="rating"' in form and '<textarea name="note">' in form and "评价意见" in form


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_an_unsatisfied_rating_with_a_comment_reopens_and_the_handler_reads_why(world, resolved, adapter):
    resident = client_for(world.users["resident-3"])
    if adapter == "web":
        r = resident.post(f"/cases/{resolved.number}/act/rate/", {"rating": "unsatisfied", "note": "接头还在渗水", "version": resolved.version})
        assert r.status_code == 302
    else:
        r = post_json(resident, f"/api/v1/cases/{resolved.number}/rate", {"rating": "unsatisfied", "note": "接头还在渗水"})
        assert r.status_code == 200, r.content
    case = Case.objects.get(pk=resolved.pk)
    rating = case.events.get(action="rate")
    assert case.state == "handling" and case.reopen_count == 1
    assert rating.note == "接头还在渗水" and rating.payload == {"rating": "unsatisfied", "reopened": True}
    staff_page = client_for(village_staff(world, case.area_id)).get(f"/cases/{case.number}/").content.decode()
    assert "接头还在渗水" in staff_page  # in the record, beside the rating


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_rating_without_a_comment_still_counts(world, resolved, adapter):
    resident = client_for(world.users["resident-3"])
    if adapter == "web":
        resident.post(f"/cases/{resolved.number}/act/rate/", {"rating": "satisfied", "note": "", "version": resolved.version})
    else:
        assert post_json(resident, f"/api/v1/cases/{resolved.number}/rate", {"rating": "satisfied"}).status_code == 200
    case = Case.objects.get(pk=resolved.pk)
    assert case.state == "rated" and case.events.get(action="rate").note == ""


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_another_resident_may_not_rate(world, resolved, adapter):
    stranger = client_for(world.users["resident-4"])
    if adapter == "web":
        assert stranger.post(f"/cases/{resolved.number}/act/rate/", {"rating": "unsatisfied", "note": "x"}).status_code == 404
    else:
        assert post_json(stranger, f"/api/v1/cases/{resolved.number}/rate", {"rating": "unsatisfied"}).status_code == 404
    assert Case.objects.get(pk=resolved.pk).state == "resolved"


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_the_reporter_reads_their_own_data_unmasked_and_others_masked(world, resolved, adapter):
    def reporter_as(user) -> str:
        client = client_for(user)
        if adapter == "web":
            return client.get(f"/cases/{resolved.number}/").content.decode()
        return str(client.get(f"/api/v1/cases/{resolved.number}").json()["reporter"])

    own = reporter_as(world.users["resident-3"])
    assert "赵春华" in own and "13912345678" in own
    assert "reveal=1" not in own  # nothing to unmask: it is their own
    audited = reporter_as(world.users["auditor"])
    assert "赵*华" in audited and "139****5678" in audited and "13912345678" not in audited

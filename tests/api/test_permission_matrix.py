"""Role × endpoint × object: every role in two villages of two townships.

The expectations are written out by hand from the access policy in issue 4,
not computed from the code under test.
"""

from __future__ import annotations

import pytest

from jiceng.accounts.models import PersonalDataAccess
from jiceng.cases.actions import do_case_action
from tests.cases.helpers import submit, village_staff

from .helpers import client_for, key_client, post_json

pytestmark = pytest.mark.django_db

# user -> (reads case A, reads case B, may add a progress note to A, may see A's personal data)
POLICY = {
    "resident-1": (True, False, False, True),  # the reporter of A
    "resident-2": (False, False, False, False),
    "grid-A": (True, False, False, False),  # grid worker of A's grid
    "grid-B": (False, True, False, False),
    "cun-A": (True, False, True, True),  # village staff: A's village committee handles it
    "cun-A2": (False, False, False, False),  # another village in the same township
    "tz-T1": (True, False, False, True),  # township staff: subtree, dispatcher above the village
    "tz-T2": (False, True, False, False),
    "tz-T1-leader": (True, False, True, True),
    "leader": (True, True, True, True),  # county leader
    "auditor": (True, True, False, False),  # reads, never acts, never sees personal data
    "county-transport": (False, False, False, False),  # nothing was dispatched to it
    "admin": (True, True, True, True),
    "key-none": (False, False, False, False),  # integration key without an area
    "key-T1": (True, False, False, False),  # integration key scoped to township T1
}


@pytest.fixture
def scene(world):
    t1, t2 = world.townships[0], world.townships[1]
    a, a2 = [v for v in world.villages if v.code.startswith(t1.code[:9])][:2]
    b = next(v for v in world.villages if v.code.startswith(t2.code[:9]))
    grid_a, grid_b = world.grids_by_village[a.code][0], world.grids_by_village[b.code][0]
    resident = world.users["resident-1"]
    case_a = submit(world, village=a, grid=grid_a, user=resident, reporter_name="", reporter_phone="13812345678")
    staff_a = village_staff(world, a.code)
    for action, params in (("accept", {"plan": "三天内修好"}), ("dispatch", {}), ("claim", {})):
        case_a = do_case_action(case_a, action, staff_a, params)
    case_b = submit(world, village=b, grid=grid_b)
    users = {
        "resident-1": resident, "resident-2": world.users["resident-2"],
        "grid-A": grid_a.workers.first(), "grid-B": grid_b.workers.first(),
        "cun-A": staff_a, "cun-A2": village_staff(world, a2.code),
        "tz-T1": world.users[f"tz-{t1.code[6:9]}"], "tz-T2": world.users[f"tz-{t2.code[6:9]}"],
        "tz-T1-leader": world.users[f"tz-{t1.code[6:9]}-leader"], "leader": world.users["leader"],
        "auditor": world.users["auditor"], "county-transport": world.users["county-transport"], "admin": world.users["admin"],
    }
    clients = {name: client_for(u) for name, u in users.items()}
    clients["key-none"] = key_client("hotline")[0]
    clients["key-T1"] = key_client("t1-cameras", area_code=t1.code)[0]
    return {"a": case_a, "b": case_b, "clients": clients}


@pytest.mark.parametrize("who", sorted(POLICY))
def test_each_role_reads_and_acts_only_where_the_policy_allows(scene, who):
    reads_a, reads_b, notes_a, reveals_a = POLICY[who]
    client = scene["clients"][who]
    listed = {c["number"] for c in client.get("/api/v1/cases?limit=200").json()["items"]}
    for case, allowed in ((scene["a"], reads_a), (scene["b"], reads_b)):
        n = case.number
        for path in (f"/api/v1/cases/{n}", f"/api/v1/cases/{n}/events", f"/api/v1/cases/{n}/allowed-actions",
                     f"/api/v1/cases/{n}/attachments"):
            r = client.get(path)
            assert r.status_code == (200 if allowed else 404), (who, path, r.status_code)
            if not allowed:  # the refusal reads exactly like the answer for a number that does not exist
                ghost = "2099-000000-999999"
                assert r.content.decode().replace(n, "#") == client.get(path.replace(n, ghost)).content.decode().replace(ghost, "#")
        assert (n in listed) == allowed, (who, n)
    # acting: 404 where the case is invisible, 403 where it is visible but not yours
    before = scene["a"].events.count()
    r = post_json(client, f"/api/v1/cases/{scene['a'].number}/note", {"note": "已到现场查看"})
    expected = 200 if notes_a else (403 if reads_a else 404)
    assert r.status_code == expected, (who, r.status_code, r.content)
    assert scene["a"].events.count() == before + (1 if notes_a else 0)
    r = post_json(client, f"/api/v1/cases/{scene['b'].number}/supervise", {"note": "请加快"})
    assert r.status_code in ((200,) if who in ("leader", "admin") else (403,) if reads_b else (404,)), (who, r.status_code)
    # personal data: only with a need, and logged
    logged = PersonalDataAccess.objects.count()
    r = client.get(f"/api/v1/cases/{scene['a'].number}?reveal=true")
    assert r.status_code == (200 if reveals_a else 403 if reads_a else 404), (who, r.status_code)
    if reveals_a:
        assert r.json()["reporter"]["phone"] == "13812345678" and r.json()["reporter"]["masked"] is False
    assert PersonalDataAccess.objects.count() == logged + (1 if reveals_a else 0)


@pytest.mark.parametrize("who", sorted(POLICY))
def test_report_totals_count_only_visible_cases(scene, who):
    reads_a, reads_b, *_ = POLICY[who]
    data = scene["clients"][who].get(f"/api/v1/reports/summary?created_after={scene['a'].created_at.isoformat()}".replace("+", "%2B")).json()
    assert data["total"] == int(reads_a) + int(reads_b)


def test_anonymous_callers_get_401_everywhere_but_public(scene, client):
    n = scene["a"].number
    for path in ("/api/v1/cases", f"/api/v1/cases/{n}", "/api/v1/me", "/api/v1/reports/summary", "/api/v1/areas"):
        r = client.get(path)
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated", path
    assert client.get(f"/api/v1/public/cases/{n}").status_code == 200

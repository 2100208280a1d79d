"""GET /api/v1/stats/dashboard: the page's figures as JSON, scoped through stats/access.py, bad input a Chinese 400."""

from .helpers import CLOSED_LOOP, refreshed, walk

URL = "/api/v1/stats/dashboard?kind=month&period=2026-10"


def _township_head(world, township):
    return next(u for u in world.users.values() if u.role == "township_staff" and u.scope_area_id == township.code)


def test_the_leader_gets_the_county_and_a_township_head_only_theirs(world, client):
    here, there = world.townships
    walk(world, CLOSED_LOOP, village=[v for v in world.villages if v.code.startswith(here.prefix)][0])
    walk(world, ["accept", "dispatch", "claim", "supervise"], village=[v for v in world.villages if v.code.startswith(there.prefix)][0])
    refreshed()
    client.force_login(world.users["leader"])
    body = client.get(URL).json()
    kpis = {k["key"]: k for k in body["kpis"]}
    assert kpis["intake"]["value"] == 2 and kpis["supervised"]["value"] == 1 and kpis["supervised_open"]["value"] == 1
    assert "created_after=2026-10-01" in kpis["intake"]["link"]
    assert sum(r["figures"]["intake"] for r in body["by_area"]) == 2
    assert [c["supervise_count"] for c in body["supervised"]] == [1]
    assert body["period"] == "2026-10" and body["start"] == "2026-10-01" and body["end"] == "2026-11-01"

    client.force_login(_township_head(world, here))
    body = client.get(URL).json()
    assert {k["key"]: k["value"] for k in body["kpis"]}["intake"] == 1
    assert body["supervised"] == [] and body["area"] == here.prefix


def test_outside_the_scope_is_403_and_a_bad_area_or_period_a_chinese_400(world, client):
    here, there = world.townships
    client.force_login(_township_head(world, here))
    assert client.get(f"{URL}&area={there.code}").status_code == 403
    bad = client.get(f"{URL}&area=12ab")
    assert bad.status_code == 400 and "区划代码" in bad.json()["message"] and bad.json()["field"] == "area"
    bad = client.get("/api/v1/stats/dashboard?period=2026-13")
    assert bad.status_code == 400 and "2026-13" in bad.json()["message"]
    client.force_login(world.users["resident-1"])
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 401

import re

from .helpers import CLOSED_LOOP, refreshed, walk


def test_the_leader_sees_kpis_that_link_to_the_case_list(world, client):
    walk(world, CLOSED_LOOP)
    walk(world, ["accept", "dispatch", "claim", "supervise"])
    refreshed()
    client.force_login(world.users["leader"])
    page = client.get("/stats/?kind=month&period=2026-10").content.decode()
    assert 'data-kpi="intake"' in page
    link = re.search(r'href="(/cases/\?[^"]+)" data-kpi="intake"', page)[1].replace("&amp;", "&")
    assert "created_after=2026-10-01" in link and "created_before=2026-11-01" in link
    assert client.get(link).status_code == 200
    assert "echarts-5.6.0.min.js" in page and 'id="stats-charts"' in page


def test_a_bad_period_is_a_clear_error_not_a_500(world, client):
    client.force_login(world.users["leader"])
    response = client.get("/stats/?period=2026-13")
    assert response.status_code == 400
    assert "2026-13" in response.content.decode()
    assert client.get("/stats/?area=12ab").status_code == 400


def test_the_menu_shows_statistics_to_those_who_lead(world, client):
    client.force_login(world.users["leader"])
    assert 'href="/stats/"' in client.get("/").content.decode()
    client.force_login(world.users["resident-1"])
    assert 'href="/stats/"' not in client.get("/").content.decode()

"""A cadre's task list for the year and quarterly evaluation scores: through the domain and the web pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiceng.errors import Conflict, InvalidInput, NotPermitted
from jiceng.programmes.cadres import cadre_summary, do_assign_tasks, do_complete_task, do_evaluate

from tests.api.helpers import client_for


def test_tasks_completion_and_scores(world):
    township = world.townships[0]
    village = next(v for v in world.villages if v.code.startswith(township.prefix))
    tz, secretary = world.users[f"tz-{township.code[6:9]}"], world.users["resident-10"]
    tasks = do_assign_tasks(tz, secretary, area=village, year=2026, titles=[f"任务{i}" for i in range(1, 14)])
    assert [t.order for t in tasks] == list(range(1, 14))
    do_complete_task(secretary, tasks[0], on="2026-02-01", note="已建立帮扶台账")
    with pytest.raises(Conflict):
        do_complete_task(secretary, tasks[0])
    do_evaluate(tz, secretary, area=village, year=2026, quarter=1, score="92.5")
    do_evaluate(tz, secretary, area=village, year=2026, quarter=1, score="93")  # a correction
    with pytest.raises(InvalidInput, match="0 到 100"):
        do_evaluate(tz, secretary, area=village, year=2026, quarter=2, score="101")
    with pytest.raises(NotPermitted):
        do_evaluate(secretary, secretary, area=village, year=2026, quarter=2, score="100")
    [row] = cadre_summary(tz, 2026)
    assert (row["total"], row["done"], row["scores"]) == (13, 1, [Decimal("93.0"), None, None, None])
    page = client_for(tz).get("/programmes/cadres/?year=2026").content.decode()
    assert "1 / 13" in page and "93.0" in page
    mine = client_for(secretary).get("/programmes/mine/").content.decode()
    assert "任务13" in mine

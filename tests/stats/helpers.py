"""Small hand-made ledgers for the statistics tests: cases walked through the real workflow at chosen times."""

from __future__ import annotations

from datetime import datetime, timedelta

from jiceng.cases.actions import do_case_action
from jiceng.cases.sla import SHANGHAI
from jiceng.stats.access import Scope
from jiceng.stats.periods import month_of
from jiceng.stats.rollups import refresh
from tests.cases.helpers import submit, village_staff

# A Wednesday at 09:00 in Hunan: inside working hours, far from holidays.
T0 = datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI)
OCTOBER = month_of(T0.date())
EVERYWHERE = Scope("")


def walk(world, steps: list[str], *, at: datetime = T0, category: str = "minsheng-road", village=None, gap=timedelta(hours=1), resolve_fields=None, **kw):
    """Submit a case at ``at`` and take ``steps`` one ``gap`` apart as the village's staff (and its reporter for ratings)."""
    case = submit(world, category=category, village=village, now=at, **kw)
    staff = village_staff(world, case.area_id)
    t = at
    for step in steps:
        t += gap
        action, _sep, arg = step.partition(":")
        params = {
            "accept": {"plan": "三天内处理"}, "self_handle": {"plan": "村委会自行处理"}, "refuse": {"note": "不属于受理范围"}, "resolve": {"result": "已处理完毕"},
            "rate": {"rating": arg}, "supervise": {"note": "请加快办理"}, "note": {"note": "正在处理"},
            "decide": {"decision": arg, "note": "裁决"}, "dispatch": {}, "claim": {}, "close": {},
            "waive_rating": {"note": "联系不上"},
        }.get(action, {})
        if action == "resolve" and resolve_fields:
            params = {**params, "fields": resolve_fields}
        user = world.users["leader"] if action in ("supervise", "decide") else staff
        case = do_case_action(case, action, user, params, now=t)
    return case


def refreshed():
    return refresh()


CLOSED_LOOP = ["accept", "dispatch", "claim", "resolve", "rate:satisfied", "close"]

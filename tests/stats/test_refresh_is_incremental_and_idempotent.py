from jiceng.stats.models import CaseFact, DailyRollup, Watermark
from jiceng.stats.rollups import check, refresh

from .helpers import CLOSED_LOOP, walk


def _snapshot():
    rows = DailyRollup.objects.values_list("day", "area_id", "category_id", "unit_id", "intake", "accepted", "closed")
    return (sorted(rows, key=repr),
            CaseFact.objects.count())


def test_running_refresh_twice_changes_nothing(world):
    walk(world, CLOSED_LOOP)
    walk(world, ["accept"])
    first = refresh()
    assert first.cases == 2
    before = _snapshot()
    second = refresh()
    assert _snapshot() == before
    assert second.event_id == first.event_id


def test_a_later_refresh_reads_only_events_after_the_watermark(world):
    case = walk(world, ["accept"])
    refresh()
    mark = Watermark.objects.get().event_id
    assert mark == case.events.order_by("-id").first().id
    from jiceng.cases.actions import do_case_action
    from tests.cases.helpers import village_staff

    do_case_action(case, "dispatch", village_staff(world, case.area_id), {})
    result = refresh()
    assert result.cases == 1
    assert Watermark.objects.get().event_id > mark
    assert check().ok


def test_full_rebuild_agrees_with_incremental(world):
    walk(world, CLOSED_LOOP)
    walk(world, ["refuse"])
    refresh()
    incremental = _snapshot()
    refresh(full=True)
    assert _snapshot() == incremental


def test_check_finds_a_tampered_rollup(world):
    walk(world, CLOSED_LOOP)
    refresh()
    assert check().ok
    DailyRollup.objects.update(closed=7)
    result = check()
    assert not result.ok
    assert "closed" in result.differences[0]
